/**
 * The real aws-amplify v6 client, run in Node against the local stack (cognito-local + the local
 * AppSync server), exactly as the web app uses it: USER_PASSWORD_AUTH against `userPoolEndpoint`,
 * the GraphQL client in user-pool mode, subscriptions over the AppSync realtime protocol.
 *
 * Several users in one process: Amplify v6.22 accepts an explicit AmplifyContext as the first
 * argument of its auth APIs and of `generateClient`. Each AmplifyNodeUser owns one context with its
 * own token provider over its own in-memory storage, so users never see each other's tokens (the
 * default providers share one process-wide storage keyed by client id: signing in a second user
 * would replace the first). The realtime provider is still shared per endpoint, so all users of a
 * process share one WebSocket; each `start` carries its own user's token, which is what AppSync
 * (and the local server) authorizes a subscription with.
 */

import { isDeepStrictEqual } from 'node:util';
import { createAmplifyContext } from 'aws-amplify';
import { createAWSCredentialsAndIdentityIdProvider, createUserPoolsTokenProvider } from 'aws-amplify/adapter-core';
import { generateClient } from 'aws-amplify/api';
import { confirmSignUp, fetchAuthSession, getCurrentUser, signIn, signOut, signUp } from 'aws-amplify/auth';
import { Hub, type KeyValueStorageInterface } from 'aws-amplify/utils';
import { parse as parseGraphql, print } from 'graphql';
import { WebSocket as WsWebSocket } from 'ws';

export interface AmplifyNodeTarget {
  cognitoEndpoint: string;
  userPoolId: string;
  clientId: string;
  /** http://127.0.0.1:P/graphql */
  graphqlUrl: string;
  region?: string;
}

export interface GraphqlError {
  message: string;
  errorType?: string;
  path?: ReadonlyArray<string | number> | null;
}

export interface GraphqlResponse<T> {
  data?: T | null;
  errors?: GraphqlError[];
}

export interface LiveSubscription<T> {
  readonly events: T[];
  readonly errors: unknown[];
  /** Settles when the server acknowledged the start (`start_ack`); rejects on a start error. */
  readonly ready: Promise<void>;
  /** Resolves with the first event (already received or future) that satisfies the predicate. */
  waitFor(predicate: (event: T) => boolean, timeoutMs?: number): Promise<T>;
  unsubscribe(): void;
}

/** Amplify always dials `wss://`; the local server speaks plain ws on loopback. */
class LoopbackWebSocket extends WsWebSocket {
  constructor(address: string | URL, protocols?: string | string[]) {
    super(String(address).replace(/^wss:\/\/(127\.0\.0\.1|localhost)([:/])/, 'ws://$1$2'), protocols);
  }
}

/** Installs the global WebSocket Amplify's realtime client needs (Node 20 has none). Idempotent. */
export function installNodeWebSocket(): void {
  Object.defineProperty(globalThis, 'WebSocket', { value: LoopbackWebSocket, configurable: true, writable: true });
}

class MemoryStorage implements KeyValueStorageInterface {
  private readonly items = new Map<string, string>();
  async setItem(key: string, value: string): Promise<void> {
    this.items.set(key, value);
  }
  async getItem(key: string): Promise<string | null> {
    return this.items.get(key) ?? null;
  }
  async removeItem(key: string): Promise<void> {
    this.items.delete(key);
  }
  async clear(): Promise<void> {
    this.items.clear();
  }
}

function errorList(value: unknown): GraphqlError[] {
  if (!value || typeof value !== 'object' || !('errors' in value) || !Array.isArray(value.errors)) return [];
  return value.errors.map((e: unknown) => {
    const entry = e && typeof e === 'object' ? e : {};
    const message = 'message' in entry && typeof entry.message === 'string' ? entry.message : String(e);
    const errorType = 'errorType' in entry && typeof entry.errorType === 'string' ? entry.errorType : undefined;
    const path = 'path' in entry && Array.isArray(entry.path) ? entry.path : null;
    return { message, ...(errorType ? { errorType } : {}), path };
  });
}

function dataOf<T>(value: unknown): T | null | undefined {
  if (!value || typeof value !== 'object' || !('data' in value)) return undefined;
  return value.data as T | null;
}

/** The one call we use of Amplify's deeply generic V6Client (its full type is too deep to name here). */
interface GraphqlCaller {
  graphql(options: { query: string; variables: Record<string, unknown> }): unknown;
}

export class AmplifyNodeUser {
  readonly ctx: ReturnType<typeof createAmplifyContext>;
  private readonly client: GraphqlCaller;
  private readonly live = new Set<LiveSubscription<unknown>>();

  constructor(target: AmplifyNodeTarget) {
    installNodeWebSocket();
    const resources = {
      Auth: {
        Cognito: {
          userPoolId: target.userPoolId,
          userPoolClientId: target.clientId,
          userPoolEndpoint: target.cognitoEndpoint,
          loginWith: { email: true },
        },
      },
      API: {
        GraphQL: {
          endpoint: target.graphqlUrl,
          region: target.region ?? 'local',
          defaultAuthMode: 'userPool' as const,
        },
      },
    };
    const storage = new MemoryStorage();
    this.ctx = createAmplifyContext(resources, {
      Auth: {
        tokenProvider: createUserPoolsTokenProvider(resources.Auth, storage),
        credentialsProvider: createAWSCredentialsAndIdentityIdProvider(resources.Auth, storage),
      },
    });
    this.client = generateClient(this.ctx, { authMode: 'userPool' });
  }

  signUp(email: string, password: string) {
    return signUp(this.ctx, { username: email, password, options: { userAttributes: { email } } });
  }

  confirmSignUp(email: string, confirmationCode: string) {
    return confirmSignUp(this.ctx, { username: email, confirmationCode });
  }

  signIn(email: string, password: string) {
    return signIn(this.ctx, { username: email, password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  }

  async signOut(): Promise<void> {
    await signOut(this.ctx);
  }

  /** The Cognito `sub` of the signed-in user (what AppSync calls identity.sub). */
  async sub(): Promise<string> {
    return (await getCurrentUser(this.ctx)).userId;
  }

  async accessToken(): Promise<string> {
    const token = (await fetchAuthSession(this.ctx)).tokens?.accessToken?.toString();
    if (!token) throw new Error('not signed in');
    return token;
  }

  /** A query or mutation; Amplify rejects when `errors` is present, this returns them instead. */
  async graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<GraphqlResponse<T>> {
    try {
      const result: unknown = await this.client.graphql({ query, variables });
      return { data: dataOf<T>(result), errors: errorList(result) };
    } catch (thrown) {
      const errors = errorList(thrown);
      if (errors.length === 0) throw thrown;
      return { data: dataOf<T>(thrown), errors };
    }
  }

  /** Subscribes through Amplify's realtime client; await `ready` before triggering events. */
  subscribe<T>(query: string, variables: Record<string, unknown> = {}): LiveSubscription<T> {
    const events: T[] = [];
    const errors: unknown[] = [];
    const waiters = new Set<() => void>();
    // Amplify prints with its own graphql copy (v15 adds a trailing newline): compare normalized text
    const normalize = (text: string): string => text.replace(/\s+/g, ' ').trim();
    const printed = normalize(print(parseGraphql(query)));
    let settle: { resolve(): void; reject(e: unknown): void } | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    // Amplify reports each start_ack on the 'api' Hub channel with the query and variables it sent
    const stopListening = Hub.listen('api', ({ payload }) => {
      const data: unknown = payload.data;
      if (payload.event !== 'Subscription ack' || !data || typeof data !== 'object') return;
      if (
        normalize(String(Reflect.get(data, 'query'))) !== printed ||
        !isDeepStrictEqual(Reflect.get(data, 'variables'), variables)
      ) {
        return;
      }
      stopListening();
      settle?.resolve();
    });
    const observable: unknown = this.client.graphql({ query, variables });
    if (!observable || typeof observable !== 'object' || !('subscribe' in observable)) {
      throw new Error('not a subscription');
    }
    const subscribeFn = observable.subscribe;
    if (typeof subscribeFn !== 'function') throw new Error('not a subscription');
    const handle: unknown = subscribeFn.call(observable, {
      next: (message: unknown) => {
        const data = dataOf<T>(message);
        if (data !== undefined && data !== null) events.push(data);
        for (const wake of waiters) wake();
      },
      error: (error: unknown) => {
        errors.push(error);
        stopListening();
        settle?.reject(error);
        for (const wake of waiters) wake();
      },
    });
    const live: LiveSubscription<T> = {
      events,
      errors,
      ready,
      waitFor: (predicate, timeoutMs = 5_000) =>
        new Promise<T>((resolve, reject) => {
          const check = (): boolean => {
            const hit = events.find(predicate);
            if (hit === undefined) return false;
            waiters.delete(wake);
            clearTimeout(timer);
            resolve(hit);
            return true;
          };
          const wake = (): void => void check();
          const timer = setTimeout(() => {
            waiters.delete(wake);
            reject(new Error(`no matching subscription event within ${timeoutMs} ms (got ${events.length})`));
          }, timeoutMs);
          waiters.add(wake);
          check();
        }),
      unsubscribe: () => {
        stopListening();
        this.live.delete(live);
        if (
          handle &&
          typeof handle === 'object' &&
          'unsubscribe' in handle &&
          typeof handle.unsubscribe === 'function'
        ) {
          handle.unsubscribe();
        }
      },
    };
    // A start error would otherwise surface as an unhandled rejection when nobody awaits `ready`
    ready.catch(() => undefined);
    this.live.add(live);
    return live;
  }

  /** Ends this user's subscriptions (do it before closing the server) and signs out. */
  async dispose(): Promise<void> {
    for (const live of [...this.live]) live.unsubscribe();
    await this.signOut().catch(() => undefined);
  }
}
