import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

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
      sha256: Sha256,
    });
    this.timeoutMs = opts.timeoutMs ?? 5_000;
  }
  private readonly timeoutMs: number;

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
    const res = await fetch(this.url, {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const json = (await res.json().catch(() => undefined)) as { data?: T; errors?: unknown } | undefined;
    if (!res.ok || !json || json.errors) {
      throw new GraphqlRequestError(`AppSync request failed (${res.status})`, res.status, json?.errors);
    }
    return json.data as T;
  }
}
