import { WebSocket } from 'ws';

export interface RealtimeMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

export interface RawRealtimeClient {
  readonly messages: RealtimeMessage[];
  send(message: unknown): void;
  /** The first message (received or future) of that type, optionally for that subscription id. */
  next(type: string, id?: string, timeoutMs?: number): Promise<RealtimeMessage>;
  closed: Promise<void>;
  close(): void;
}

/**
 * A bare AppSync-realtime client (no Amplify), for asserting protocol details: auth travels in the
 * `header-<base64url JSON>` subprotocol next to `graphql-ws` (or the older `?header=` query).
 */
export async function openRealtime(
  realtimeUrl: string,
  headers: Record<string, string>,
  /** Older clients put the auth JSON, standard base64, in a `?header=` query parameter instead. */
  via: 'subprotocol' | 'query' = 'subprotocol',
): Promise<RawRealtimeClient> {
  const json = JSON.stringify(headers);
  const ws =
    via === 'subprotocol'
      ? new WebSocket(realtimeUrl, ['graphql-ws', `header-${Buffer.from(json).toString('base64url')}`])
      : new WebSocket(
          `${realtimeUrl}?header=${encodeURIComponent(Buffer.from(json).toString('base64'))}&payload=e30=`,
          ['graphql-ws'],
        );
  const messages: RealtimeMessage[] = [];
  const wakers = new Set<() => void>();
  ws.on('message', (raw) => {
    messages.push(JSON.parse(raw.toString()));
    for (const wake of wakers) wake();
  });
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    messages,
    closed,
    send: (message) => ws.send(JSON.stringify(message)),
    next: (type, id, timeoutMs = 5_000) =>
      new Promise<RealtimeMessage>((resolve, reject) => {
        const find = (): boolean => {
          const hit = messages.find((m) => m.type === type && (id === undefined || m.id === id));
          if (!hit) return false;
          wakers.delete(wake);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const wake = (): void => void find();
        const timer = setTimeout(() => {
          wakers.delete(wake);
          reject(new Error(`no ${type} message within ${timeoutMs} ms; got ${JSON.stringify(messages)}`));
        }, timeoutMs);
        wakers.add(wake);
        find();
      }),
    close: () => ws.close(),
  };
}
