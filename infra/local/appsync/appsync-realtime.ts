import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import type { Authenticator } from './appsync-auth.js';
import type { AppSyncSchema } from './appsync-schema.js';
import type { FieldResolver } from './appsync-types.js';
import { startSubscription } from './realtime-start.js';
import type { SubscriptionRegistry } from './subscription-registry.js';

export interface RealtimeOptions {
  server: Server;
  /** e.g. /graphql/realtime */
  realtimePath: string;
  /** e.g. /graphql: what IAM signatures of `start` messages cover. */
  graphqlPath: string;
  app: AppSyncSchema;
  authenticator: Authenticator;
  registry: SubscriptionRegistry;
  resolvers: Record<string, FieldResolver>;
  /** Told to the client in connection_ack; AppSync uses 5 minutes. */
  connectionTimeoutMs: number;
  /** How often `ka` is sent; must be well below connectionTimeoutMs. */
  keepAliveMs: number;
}

const INIT_TIMEOUT_MS = 15_000;
const MAX_SUBSCRIPTIONS_PER_CONNECTION = 100;
const MAX_MESSAGE_BYTES = 256 * 1024;

const headerSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String));
const clientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('connection_init'), payload: z.unknown().optional() }),
  z.object({
    type: z.literal('start'),
    id: z.string().min(1).max(128),
    payload: z.object({
      data: z.string(),
      extensions: z.object({ authorization: headerSchema }).optional(),
    }),
  }),
  z.object({ type: z.literal('stop'), id: z.string().min(1).max(128) }),
]);

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Auth for the connection: the `header-<base64url JSON>` subprotocol, or the older `?header=` query. */
function connectionHeaders(req: IncomingMessage): Record<string, string> | undefined {
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim());
  const fromProtocol = protocols.find((p) => p.startsWith('header-'))?.slice('header-'.length);
  const fromQuery = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('header') ?? undefined;
  const encoded = fromProtocol ?? fromQuery;
  if (!encoded) return undefined;
  try {
    const parsed = headerSchema.safeParse(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')));
    return parsed.success ? lowerCaseKeys(parsed.data) : undefined;
  } catch {
    return undefined;
  }
}

function send(ws: WebSocket, message: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

function errorMessage(id: string | undefined, errorType: string, message: string): unknown {
  return { ...(id ? { id } : {}), type: 'error', payload: { errors: [{ errorType, message }] } };
}

/**
 * AppSync's realtime WebSocket protocol (`graphql-ws` subprotocol): connection auth from the
 * header subprotocol, connection_init → connection_ack + ka, start → start_ack, stop → complete.
 */
export function attachRealtime(opts: RealtimeOptions): { close(): void } {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has('graphql-ws') ? 'graphql-ws' : false),
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== opts.realtimePath) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
  };
  opts.server.on('upgrade', onUpgrade);

  function onConnection(ws: WebSocket, req: IncomingMessage): void {
    const connectionId = randomUUID();
    const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
    const headers = connectionHeaders(req);
    const auth = opts.authenticator.authenticate({
      headers: headers ?? {},
      method: 'POST',
      path: `${opts.graphqlPath}/connect`,
      query: {},
      body: '{}',
      sourceIp,
    });
    let acknowledged = false;
    let keepAlive: NodeJS.Timeout | undefined;
    const initTimer = setTimeout(() => ws.close(1002, 'connection_init not received'), INIT_TIMEOUT_MS);
    initTimer.unref();

    const onInit = async (): Promise<void> => {
      clearTimeout(initTimer);
      const outcome = await auth;
      if (!outcome.ok) {
        send(ws, {
          type: 'connection_error',
          payload: { errors: [{ errorType: 'UnauthorizedException', message: outcome.message, errorCode: 401 }] },
        });
        ws.close(1000, 'Unauthorized');
        return;
      }
      acknowledged = true;
      send(ws, { type: 'connection_ack', payload: { connectionTimeoutMs: opts.connectionTimeoutMs } });
      send(ws, { type: 'ka' });
      keepAlive = setInterval(() => send(ws, { type: 'ka' }), opts.keepAliveMs);
      keepAlive.unref();
    };

    const onStart = async (id: string, data: string, authorization: Record<string, string>): Promise<void> => {
      if (!acknowledged) return send(ws, errorMessage(id, 'BadRequestException', 'connection_init first.'));
      if (opts.registry.has(connectionId, id)) {
        return send(ws, errorMessage(id, 'BadRequestException', `Subscription ${id} already exists.`));
      }
      if (opts.registry.countFor(connectionId) >= MAX_SUBSCRIPTIONS_PER_CONNECTION) {
        return send(ws, errorMessage(id, 'LimitExceededException', 'Too many subscriptions on this connection.'));
      }
      const result = await startSubscription({
        ...opts,
        connectionId,
        id,
        data,
        headers: lowerCaseKeys(authorization),
        sourceIp,
        send: (message) => send(ws, message),
      });
      if (!result.ok) return send(ws, { id, type: 'error', payload: { errors: result.errors } });
      // The connection may have closed while the start was being authorized
      if (ws.readyState !== ws.OPEN) return;
      opts.registry.add(result.subscription);
      send(ws, { id, type: 'start_ack' });
    };

    ws.on('message', (raw, isBinary) => {
      if (isBinary) return;
      let message: z.infer<typeof clientMessage>;
      try {
        const parsed = clientMessage.safeParse(JSON.parse(raw.toString()));
        if (!parsed.success) return send(ws, errorMessage(undefined, 'BadRequestException', 'Invalid message.'));
        message = parsed.data;
      } catch {
        return send(ws, errorMessage(undefined, 'BadRequestException', 'Message is not JSON.'));
      }
      const work =
        message.type === 'connection_init'
          ? onInit()
          : message.type === 'start'
            ? onStart(message.id, message.payload.data, message.payload.extensions?.authorization ?? {})
            : Promise.resolve(stop(message.id));
      work.catch(() => send(ws, errorMessage(undefined, 'InternalFailure', 'Internal failure.')));
    });

    const stop = (id: string): void => {
      opts.registry.remove(connectionId, id);
      send(ws, { id, type: 'complete' });
    };

    ws.on('close', () => {
      clearTimeout(initTimer);
      if (keepAlive) clearInterval(keepAlive);
      opts.registry.removeConnection(connectionId);
    });
    ws.on('error', () => ws.terminate());
  }

  return {
    close() {
      opts.server.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
