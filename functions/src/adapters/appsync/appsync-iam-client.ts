import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './node-sha256.js';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}
export type CredentialsProvider = () => Promise<AwsCredentials>;

export class GraphqlRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errors?: unknown,
  ) {
    super(message);
    this.name = 'GraphqlRequestError';
  }
}

/**
 * Calls an AppSync GraphQL endpoint with IAM (SigV4, service `appsync`) — the backend's identity for
 * the publish mutations. The local AppSync-protocol server verifies the same signature.
 */
export class AppSyncIamClient {
  private readonly url: URL;
  private readonly signer: SignatureV4;

  constructor(opts: { endpoint: string; region: string; credentials: CredentialsProvider; timeoutMs?: number }) {
    this.url = new URL(opts.endpoint);
    this.signer = new SignatureV4({
      service: 'appsync',
      region: opts.region,
      credentials: opts.credentials,
      sha256: NodeSha256,
    });
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.agent =
      this.url.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  }
  private readonly timeoutMs: number;
  private readonly agent: HttpAgent;

  async request<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const body = JSON.stringify({ query, variables });
    const req = new HttpRequest({
      method: 'POST',
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port: this.url.port ? Number(this.url.port) : undefined,
      path: this.url.pathname,
      headers: { 'content-type': 'application/json', host: this.url.host },
      body,
    });
    const signed = await this.signer.sign(req);
    const res = await this.post({ ...signed.headers, 'content-length': String(Buffer.byteLength(body)) }, body);
    let json: { data?: T; errors?: unknown } | undefined;
    try {
      json = JSON.parse(res.text) as { data?: T; errors?: unknown };
    } catch {
      json = undefined;
    }
    const ok = res.status >= 200 && res.status < 300;
    if (!ok || !json || json.errors) {
      throw new GraphqlRequestError(`AppSync request failed (${res.status})`, res.status, json?.errors);
    }
    return json.data as T;
  }

  // node:http with a keep-alive agent rather than fetch: publishes are small and frequent, and
  // undici's fetch (web streams, body mixins) showed up as ~6 % of the local stack's CPU profile.
  private post(
    headers: Record<string, string>,
    body: string,
    retried = false,
  ): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const send = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        this.url,
        { method: 'POST', headers, agent: this.agent, signal: AbortSignal.timeout(this.timeoutMs) },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        // The server may close an idle kept-alive socket just as it is reused: send once more on a
        // fresh one (as Node's docs advise). Publishing the same view twice is harmless.
        if (req.reusedSocket && error.code === 'ECONNRESET' && !retried) {
          this.post(headers, body, true).then(resolve, reject);
        } else {
          reject(error);
        }
      });
      req.end(body);
    });
  }
}
