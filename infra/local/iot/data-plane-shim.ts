/**
 * The IoT data-plane `Publish` API over HTTP, so the production adapter (`@aws-sdk/client-iot-data-plane`
 * with `endpoint: http://127.0.0.1:PORT`) runs unchanged. The SDK sends
 * `POST /topics/{urlencoded topic}?qos=1[&retain=true]` with the raw payload as body, SigV4-signed.
 * Errors are answered the way the SDK parses them: status, `x-amzn-ErrorType` and `{"message"}`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_PAYLOAD_BYTES } from '../../../contracts/iot-rule.js';
import type { Logger } from '../../../functions/src/ports/logger.port.js';
import { type StaticCredentials, verifySigV4 } from './sigv4-verify.js';

export interface ShimPublish {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
}

export interface DataPlaneShimOptions {
  publish(message: ShimPublish): Promise<void>;
  /** When set, signatures are verified with this key; otherwise only their shape is checked. */
  credentials?: StaticCredentials;
  logger: Logger;
}

type ErrorType =
  | 'ForbiddenException'
  | 'InvalidRequestException'
  | 'MethodNotAllowedException'
  | 'RequestEntityTooLargeException'
  | 'ResourceNotFoundException'
  | 'InternalFailureException';

class ShimError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const MAX_TOPIC_BYTES = 256;
/** AWS IoT allows at most 7 forward slashes in a topic. */
const MAX_TOPIC_SLASHES = 7;

function parseTopicPath(rawPath: string): string {
  if (!rawPath.startsWith('/topics/')) throw new ShimError(404, 'ResourceNotFoundException', 'only /topics/{topic}');
  let topic: string;
  try {
    topic = decodeURIComponent(rawPath.slice('/topics/'.length));
  } catch {
    throw new ShimError(400, 'InvalidRequestException', 'topic is not valid percent-encoding');
  }
  if (topic.length === 0) throw new ShimError(400, 'InvalidRequestException', 'topic is empty');
  if (Buffer.byteLength(topic) > MAX_TOPIC_BYTES) throw new ShimError(400, 'InvalidRequestException', 'topic too long');
  if (/[+#\0]/.test(topic)) throw new ShimError(400, 'InvalidRequestException', 'topic must not contain + # or NUL');
  if (topic.split('/').length - 1 > MAX_TOPIC_SLASHES) {
    throw new ShimError(400, 'InvalidRequestException', 'topic has more than 7 forward slashes');
  }
  return topic;
}

function parseQuery(q: URLSearchParams): { qos: 0 | 1; retain: boolean } {
  for (const key of q.keys()) {
    if (key !== 'qos' && key !== 'retain') throw new ShimError(400, 'InvalidRequestException', `unsupported ${key}`);
  }
  const qos = q.get('qos') ?? '0';
  if (qos !== '0' && qos !== '1') throw new ShimError(400, 'InvalidRequestException', 'qos must be 0 or 1');
  const retain = q.get('retain') ?? 'false';
  if (retain !== 'true' && retain !== 'false')
    throw new ShimError(400, 'InvalidRequestException', 'retain: true|false');
  return { qos: qos === '1' ? 1 : 0, retain: retain === 'true' };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > MAX_PAYLOAD_BYTES) throw new ShimError(413, 'RequestEntityTooLargeException', 'payload over 128 KiB');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > MAX_PAYLOAD_BYTES) throw new ShimError(413, 'RequestEntityTooLargeException', 'payload over 128 KiB');
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export function makeDataPlaneShim(opts: DataPlaneShimOptions): (req: IncomingMessage, res: ServerResponse) => void {
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      throw new ShimError(403, 'ForbiddenException', 'the local IoT data plane accepts loopback callers only');
    }
    if (req.method !== 'POST') throw new ShimError(405, 'MethodNotAllowedException', 'only POST /topics/{topic}');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const topic = parseTopicPath(rawPath);
    const { qos, retain } = parseQuery(url.searchParams);
    const body = await readBody(req);
    const declaredHash = req.headers['x-amz-content-sha256'];
    if (
      typeof declaredHash === 'string' &&
      declaredHash !== 'UNSIGNED-PAYLOAD' &&
      declaredHash !== createHash('sha256').update(body).digest('hex')
    ) {
      throw new ShimError(400, 'InvalidRequestException', 'x-amz-content-sha256 does not match the body');
    }
    const verdict = await verifySigV4(
      { method: 'POST', host: '127.0.0.1', path: rawPath, query: url.searchParams, headers: req.headers, body },
      { service: 'iotdata', credentials: opts.credentials },
    );
    if (!verdict.ok) throw new ShimError(403, 'ForbiddenException', verdict.reason);
    await opts.publish({ topic, payload: body, qos, retain });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'OK', traceId: randomUUID() }));
  }

  return (req, res) => {
    handle(req, res).catch((e: unknown) => {
      const err =
        e instanceof ShimError
          ? e
          : new ShimError(500, 'InternalFailureException', 'publish to the local broker failed');
      const level = err.status >= 500 ? 'error' : 'warn';
      opts.logger[level]('iot.dataPlane.refused', {
        status: err.status,
        type: err.type,
        reason: err.message,
        ...(err === e ? {} : { error: String(e) }),
      });
      if (res.headersSent) return void res.destroy();
      res.writeHead(err.status, { 'content-type': 'application/json', 'x-amzn-ErrorType': err.type });
      res.end(JSON.stringify({ message: err.message }));
      // An unread request body would otherwise keep the connection busy.
      req.resume();
    });
  };
}
