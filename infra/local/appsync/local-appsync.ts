import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createAuthenticator } from './appsync-auth.js';
import { executeRequest, installResolvers } from './appsync-execute.js';
import { attachRealtime } from './appsync-realtime.js';
import { loadAppSyncSchema } from './appsync-schema.js';
import type {
  AppSyncErrorEntry,
  CognitoAuthConfig,
  FieldResolver,
  IamAuthConfig,
  SubscriptionFilter,
} from './appsync-types.js';
import { SubscriptionRegistry } from './subscription-registry.js';

export interface LocalAppSyncOptions {
  port?: number;
  schemaPath: string;
  cognito: CognitoAuthConfig;
  iam: IamAuthConfig;
  /** Keyed `Type.field` ('Query.stations', 'Mutation.startCharge', 'Subscription.onSessionUpdate' runs at subscribe). */
  resolvers: Record<string, FieldResolver>;
  /** Keyed 'Subscription.field': who may receive a published payload, whatever arguments they sent. */
  subscriptionFilters?: Record<string, SubscriptionFilter>;
  /** Realtime keep-alive interval (default 60 s); connection_ack tells clients 5 minutes. */
  keepAliveMs?: number;
}

export interface LocalAppSync {
  /** http://127.0.0.1:P/graphql */
  url: string;
  /** ws://127.0.0.1:P/graphql/realtime (the Amplify client derives it from `url`) */
  realtimeUrl: string;
  close(): Promise<void>;
}

const GRAPHQL_PATH = '/graphql';
const REALTIME_PATH = `${GRAPHQL_PATH}/realtime`;
const MAX_BODY_BYTES = 1024 * 1024;
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers':
    'authorization, content-type, x-amz-date, x-amz-security-token, x-amz-user-agent, x-amz-content-sha256, x-api-key',
  'access-control-expose-headers': 'x-amzn-ErrorType, x-amzn-RequestId',
  'access-control-max-age': '86400',
};

const requestBody = z.object({
  query: z.string().min(1),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().nullish(),
});

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...CORS_HEADERS, ...headers });
  res.end(JSON.stringify(body));
}

/** AWS clients (Amplify included) read the error's type from `x-amzn-ErrorType`. */
function replyError(res: ServerResponse, status: number, errorType: string, message: string): void {
  const errors: AppSyncErrorEntry[] = [{ errorType, message }];
  reply(res, status, { errors }, { 'x-amzn-ErrorType': errorType });
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolveBody(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) out[name] = Array.isArray(value) ? value.join(',') : value;
  return out;
}

/**
 * A local stand-in for an AppSync GraphQL API: POST /graphql with Cognito user-pool (default) and
 * IAM auth checked per field as AppSync does, and the AppSync realtime protocol at /graphql/realtime.
 * Mutations referenced by `@aws_subscribe` fan their results out to matching, permitted subscribers.
 */
export async function startLocalAppSync(opts: LocalAppSyncOptions): Promise<LocalAppSync> {
  const app = loadAppSyncSchema(await readFile(opts.schemaPath, 'utf8'));
  installResolvers(app, opts.resolvers);
  const authenticator = createAuthenticator(opts.cognito, opts.iam);
  const registry = new SubscriptionRegistry(app, opts.subscriptionFilters ?? {});

  async function handleGraphql(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const raw = await readBody(req);
    if (raw === undefined) return replyError(res, 413, 'PayloadTooLargeException', 'Request body is too large.');
    const headers = flatHeaders(req);
    const auth = await authenticator.authenticate({
      headers,
      method: 'POST',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: raw,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
    });
    if (!auth.ok) return replyError(res, 401, 'UnauthorizedException', auth.message);
    let parsed: z.infer<typeof requestBody>;
    try {
      const result = requestBody.safeParse(JSON.parse(raw));
      if (!result.success) {
        return replyError(res, 400, 'MalformedHttpRequestException', 'Request body must hold a GraphQL query.');
      }
      parsed = result.data;
    } catch {
      return replyError(res, 400, 'MalformedHttpRequestException', 'Request body is not JSON.');
    }
    const outcome = await executeRequest(app, parsed, { principal: auth.principal, headers });
    for (const published of outcome.published) await registry.publish(published);
    reply(res, 200, outcome.body);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== GRAPHQL_PATH) return replyError(res, 404, 'NotFoundException', 'Not found.');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS_HEADERS);
      res.end();
      return;
    }
    if (req.method !== 'POST') return replyError(res, 405, 'BadRequestException', 'Use POST.');
    handleGraphql(req, res, url).catch(() => {
      if (!res.headersSent) replyError(res, 500, 'InternalFailure', 'Internal failure.');
    });
  });
  const realtime = attachRealtime({
    server,
    realtimePath: REALTIME_PATH,
    graphqlPath: GRAPHQL_PATH,
    app,
    authenticator,
    registry,
    resolvers: opts.resolvers,
    connectionTimeoutMs: 300_000,
    keepAliveMs: opts.keepAliveMs ?? 60_000,
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${GRAPHQL_PATH}`,
    realtimeUrl: `ws://127.0.0.1:${port}${REALTIME_PATH}`,
    close: () =>
      new Promise<void>((resolveClose) => {
        realtime.close();
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}
