/**
 * The local stand-in for the webhook Lambda's function URL: turns an HTTP request into the function URL
 * event (raw body, base64 when binary) and the handler's result back into a response.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaFunctionURLResult } from 'aws-lambda';

export type FunctionUrlHandler = (event: {
  body: string;
  isBase64Encoded: boolean;
  headers: Record<string, string>;
  requestContext: { http: { method: string; path: string; sourceIp: string } };
}) => Promise<LambdaFunctionURLResult>;

function flat(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/** Stripe's events are a few KB; 1 MiB is far above any genuine delivery. */
const MAX_BODY_BYTES = 1_048_576;
const DRAIN_LIMIT_BYTES = 8 * MAX_BODY_BYTES;

export async function startFunctionUrl(opts: {
  host: string;
  port: number;
  path: string;
  handler: FunctionUrlHandler;
}) {
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://x').pathname !== opts.path) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Past the limit the body is read and discarded so the sender gets a clear 413, not a reset;
      // far past it the connection is cut (nobody sends 8 MiB of webhook in good faith).
      if (size > DRAIN_LIMIT_BYTES) req.destroy();
      else if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ error: 'payload too large', limitBytes: MAX_BODY_BYTES }));
        return;
      }
      const body = Buffer.concat(chunks);
      opts
        .handler({
          body: body.toString('base64'),
          isBase64Encoded: true,
          headers: flat(req.headers),
          requestContext: { http: { method: 'POST', path: opts.path, sourceIp: req.socket.remoteAddress ?? '' } },
        })
        .then((r) => {
          const result = typeof r === 'string' ? { statusCode: 200, body: r } : r;
          res.writeHead(result.statusCode ?? 200, { 'content-type': 'application/json' });
          res.end(result.body ?? '');
        })
        .catch(() => res.writeHead(500).end('{"error":"internal"}'));
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host}:${port}${opts.path}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
