/**
 * One HTTP POST over a keep-alive agent, as the local stack's direct wires (to DynamoDB Local and to
 * the IoT data-plane shim) send it: the answer's status, headers and whole body, whatever the status
 * (each wire reads its service's errors itself). A timeout ends the request as `ETIMEDOUT`, which
 * wire-retry.ts treats as a network failure.
 */
import { type Agent, type IncomingHttpHeaders, request } from 'node:http';

export interface WirePost {
  agent: Agent;
  url: URL;
  /** Path and query. */
  path: string;
  headers: Record<string, string | number>;
  body: string | Buffer;
  timeoutMs: number;
  /** Names the service in the timeout's message. */
  service: string;
}

export interface WireAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function postOnce(p: WirePost): Promise<WireAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: p.url.hostname,
        port: p.url.port,
        method: 'POST',
        path: p.path,
        agent: p.agent,
        timeout: p.timeoutMs,
        headers: p.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`${p.service} timed out`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(p.body);
  });
}
