/**
 * One benchmark driver as the web app would be: GraphQL over HTTP with the Cognito access token and
 * its own AppSync-realtime WebSocket (graphql-ws subprotocol, auth in the `header-…` subprotocol).
 * Deliberately not aws-amplify: Amplify shares ONE socket per endpoint across every user of a process
 * and keeps per-user token machinery, so 50 Amplify users in one process would measure Amplify.
 * Events are dispatched to a waiter as they arrive (nothing is kept), so long runs stay flat.
 */
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { z } from 'zod';

const DataMessage = z.object({
  type: z.string(),
  id: z.string().optional(),
  payload: z.unknown().optional(),
});

const SessionView = z.object({ id: z.string(), state: z.string() }).nullish();
const SessionEvent = z.object({
  data: z.object({ onSessionUpdate: SessionView, onMySessionUpdates: SessionView }),
});

const GraphqlReply = z.object({
  data: z.record(z.string(), z.unknown()).nullish(),
  errors: z.array(z.object({ message: z.string(), errorType: z.string().nullish() })).optional(),
});

export const ON_SESSION = 'subscription On($id: ID!) { onSessionUpdate(id: $id) { id state } }';
export const ON_MY_SESSIONS = 'subscription Mine { onMySessionUpdates { id state } }';

/** How a driver learns its session's changes (both are the web app's options). */
export type SubscribeMode =
  /** One `onMySessionUpdates` subscription opened at sign-in, before any session exists. */
  | 'driver'
  /** `onSessionUpdate(id)` per session, once startCharge returned the id (then one read). */
  | 'session';

type Listener = (state: string) => void;

export interface DriverClient {
  readonly sub: string;
  graphql(query: string, variables: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Subscribes to one session; resolves once the server acknowledged the start. */
  watch(sessionId: string, onState: Listener): Promise<() => void>;
  /**
   * Opens `onMySessionUpdates` (once); resolves when the server acknowledged it. From then on every
   * change of this driver's sessions is dispatched by session id to `follow`.
   */
  watchMine(): Promise<void>;
  /**
   * Listens to one session on the `watchMine` subscription. Updates that arrived before the caller
   * knew the id (a fast CHARGING can overtake the startCharge answer) are replayed with their arrival times.
   */
  follow(sessionId: string, onState: (state: string, at: number) => void): () => void;
  close(): void;
}

function subOf(jwt: string): string {
  const part = jwt.split('.')[1] ?? '';
  return z.object({ sub: z.string() }).parse(JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))).sub;
}

export async function openDriver(graphqlUrl: string, realtimeUrl: string, accessToken: string): Promise<DriverClient> {
  const host = new URL(graphqlUrl).host;
  const auth = { host, Authorization: accessToken };
  const header = Buffer.from(JSON.stringify(auth)).toString('base64url');
  const ws = new WebSocket(realtimeUrl, ['graphql-ws', `header-${header}`]);
  const listeners = new Map<string, Listener>();
  /** `watchMine`'s subscription id, and its listeners and early arrivals by session id. */
  const MINE = 'mine';
  const followers = new Map<string, (state: string, at: number) => void>();
  const early: Array<{ sessionId: string; state: string; at: number }> = [];
  const acks = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let mine: Promise<void> | undefined;

  ws.on('message', (raw) => {
    const m = DataMessage.safeParse(JSON.parse(raw.toString()));
    if (!m.success || !m.data.id) return;
    const { type, id, payload } = m.data;
    if (type === 'start_ack') acks.get(id)?.resolve();
    else if (type === 'error') acks.get(id)?.reject(new Error(`subscription refused: ${JSON.stringify(payload)}`));
    else if (type === 'data' && id === MINE) {
      const at = performance.now();
      const ev = SessionEvent.safeParse(payload);
      const session = ev.success ? ev.data.data.onMySessionUpdates : null;
      if (!session) return;
      const follower = followers.get(session.id);
      if (follower) follower(session.state, at);
      else {
        early.push({ sessionId: session.id, state: session.state, at });
        if (early.length > 64) early.shift(); // bounded: a session nobody follows must not grow it
      }
    } else if (type === 'data') {
      const ev = SessionEvent.safeParse(payload);
      const session = ev.success ? ev.data.data.onSessionUpdate : null;
      if (session) listeners.get(id)?.(session.state);
    }
    if (type !== 'data') acks.delete(id);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'connection_init' }));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no connection_ack within 10 s')), 10_000);
    const onMessage = (raw: Buffer): void => {
      if (DataMessage.safeParse(JSON.parse(raw.toString())).data?.type !== 'connection_ack') return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve();
    };
    ws.on('message', onMessage);
  });

  return {
    sub: subOf(accessToken),
    async graphql(query, variables) {
      const res = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: accessToken },
        body: JSON.stringify({ query, variables }),
      });
      const reply = GraphqlReply.parse(await res.json());
      if (reply.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(reply.errors)}`);
      if (!reply.data) throw new Error(`GraphQL returned no data (HTTP ${res.status})`);
      return reply.data;
    },
    watch(sessionId, onState) {
      const id = `s${++nextId}`;
      listeners.set(id, onState);
      const acked = start(id, ON_SESSION, { id: sessionId });
      const stop = (): void => {
        listeners.delete(id);
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ id, type: 'stop' }));
      };
      return acked.then(() => stop);
    },
    watchMine() {
      mine ??= start(MINE, ON_MY_SESSIONS, {});
      return mine;
    },
    follow(sessionId, onState) {
      followers.set(sessionId, onState);
      for (let i = 0; i < early.length; ) {
        const e = early[i];
        if (e?.sessionId === sessionId) {
          early.splice(i, 1);
          onState(e.state, e.at);
        } else i += 1;
      }
      return () => followers.delete(sessionId);
    },
    close: () => ws.close(),
  };

  /** Sends a subscription `start`; resolves on its start_ack, rejects on its error. */
  function start(id: string, query: string, variables: Record<string, unknown>): Promise<void> {
    const acked = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no start_ack within 10 s')), 10_000);
      acks.set(id, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
    ws.send(
      JSON.stringify({
        id,
        type: 'start',
        payload: { data: JSON.stringify({ query, variables }), extensions: { authorization: auth } },
      }),
    );
    return acked;
  }
}
