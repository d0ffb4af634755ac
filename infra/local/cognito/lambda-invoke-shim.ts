import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type LocalFunction = (event: unknown) => Promise<unknown>;

export interface LambdaInvokeShimOptions {
  port?: number;
  functions: Record<string, LocalFunction>;
  /** Told about every function error (the caller only sees `X-Amz-Function-Error`, as with Lambda). */
  onFunctionError?: (functionName: string, error: unknown) => void;
}

export interface LambdaInvokeShim {
  endpoint: string;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolveBody(size > MAX_PAYLOAD_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

/** Lambda's error shape for a failed service call: the type travels in `x-amzn-ErrorType`. */
function serviceError(res: ServerResponse, status: number, type: string, message: string): void {
  send(res, status, { Type: 'User', message }, { 'x-amzn-ErrorType': type });
}

function functionName(raw: string): string {
  // Callers may pass a name, a partial ARN or a full ARN; the function is the segment after ':function:'.
  const decoded = decodeURIComponent(raw);
  const match = /:function:([^:]+)/.exec(decoded);
  return match?.[1] ?? decoded;
}

function parsePayload(body: string): { ok: true; event: unknown } | { ok: false } {
  if (body.trim() === '') return { ok: true, event: {} };
  try {
    return { ok: true, event: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

async function runFunction(
  opts: LambdaInvokeShimOptions,
  name: string,
  fn: LocalFunction,
  event: unknown,
): Promise<{ ok: true; result: unknown } | { ok: false; error: unknown }> {
  try {
    return { ok: true, result: await fn(event) };
  } catch (error) {
    opts.onFunctionError?.(name, error);
    return { ok: false, error };
  }
}

async function handle(opts: LambdaInvokeShimOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  const match = INVOKE_PATH.exec(path);
  if (req.method !== 'POST' || !match?.[1]) {
    serviceError(res, 404, 'UnknownOperationException', `Unknown operation ${req.method} ${path}`);
    return;
  }
  const name = functionName(match[1]);
  const fn = opts.functions[name];
  if (!fn) {
    serviceError(res, 404, 'ResourceNotFoundException', `Function not found: ${name}`);
    return;
  }
  const body = await readBody(req);
  if (body === undefined) {
    serviceError(res, 413, 'RequestTooLargeException', 'Request must be smaller than 6291456 bytes');
    return;
  }
  const payload = parsePayload(body);
  if (!payload.ok) {
    serviceError(res, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
    return;
  }
  // Lambda hands the function a JSON copy, never the caller's objects.
  const event: unknown = payload.event;
  const invocationType = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  if (invocationType === 'DryRun') {
    send(res, 204, undefined);
    return;
  }
  if (invocationType === 'Event') {
    send(res, 202, undefined);
    void runFunction(opts, name, fn, event);
    return;
  }
  const outcome = await runFunction(opts, name, fn, event);
  if (outcome.ok) {
    send(res, 200, outcome.result ?? null, { 'x-amz-executed-version': '$LATEST' });
    return;
  }
  const error = outcome.error;
  send(
    res,
    200,
    {
      errorType: error instanceof Error ? error.name : 'Error',
      errorMessage: error instanceof Error ? error.message : String(error),
      trace: [],
    },
    { 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' },
  );
}

/**
 * Serves Lambda's Invoke API (`POST /2015-03-31/functions/{name}/invocations`) on loopback and runs
 * the named local function, so cognito-local's triggers reach our handlers unchanged.
 */
export async function startLambdaInvokeShim(opts: LambdaInvokeShimOptions): Promise<LambdaInvokeShim> {
  const server = createServer((req, res) => {
    handle(opts, req, res).catch((error: unknown) => {
      if (!res.headersSent) serviceError(res, 500, 'ServiceException', String(error));
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
