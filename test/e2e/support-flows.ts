/**
 * Shared steps for the negative-path and payment-path end-to-end tests: what a driver does through
 * the public API (with the real Amplify client), and what the test reads behind it (DynamoDB Local,
 * the Stripe emulator) to prove what was — or was not — written.
 */
import {
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import type Stripe from 'stripe';
import { expect } from 'vitest';
import { tableNames } from '../../functions/src/adapters/dynamodb/tables.js';
import { createStripeClient } from '../../functions/src/adapters/stripe/stripe-client.js';
import { localDynamoDbClient } from '../../infra/local/dynamodb/local-client.js';
import type { LocalStack } from '../../infra/local/stack/local-stack.js';
import { payHostedCheckout } from '../../infra/local/stripe/index.js';
import type { AmplifyNodeUser, GraphqlResponse } from '../support/amplify-node.js';
import { type Tokens, tokensFor } from '../support/cognito-tokens.js';
import { ok, Q, type SessionDto } from '../support/journey.js';

export const CARDS = {
  ok: '4242424242424242',
  authOnSetup: '4000002500003155',
  alwaysAuth: '4000002760003184',
  attachThenDecline: '4000000000000341',
  insufficientFunds: '4000000000009995',
  authThenInsufficient: '4000008260003178',
} as const;

/** States in which nothing more happens without the driver. */
export const SETTLED = ['PAID', 'CARRIED_OVER', 'PAYMENT_FAILED', 'PAYMENT_ACTION_REQUIRED', 'CANCELLED'];

export interface StartResult {
  checkoutUrl: string | null;
  session: SessionDto;
}

let keys = 0;
export const newKey = (tag = 'k') => `${tag}-${Date.now().toString(36)}-${++keys}`;

export function startCharge(user: AmplifyNodeUser, stationId: string, key = newKey()) {
  return user.graphql<{ startCharge: StartResult }>(Q.start, { stationId, key });
}

/** The errorTypes of a refused call (and that it returned no data for the field). */
export function errorTypes<T>(r: GraphqlResponse<T>): string[] {
  return (r.errors ?? []).map((e) => e.errorType ?? `(no errorType) ${e.message}`);
}

export async function sessionOf(user: AmplifyNodeUser, id: string): Promise<SessionDto> {
  return (await ok(user.graphql<{ session: SessionDto }>(Q.session, { id }))).session;
}

/** Polls `session(id)` as the owner until the predicate holds (bounded). */
export async function untilSession(
  user: AmplifyNodeUser,
  id: string,
  predicate: (s: SessionDto) => boolean,
  timeoutMs = 20_000,
): Promise<SessionDto> {
  const deadline = Date.now() + timeoutMs;
  let last: SessionDto | undefined;
  while (Date.now() < deadline) {
    last = await sessionOf(user, id);
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`session ${id} did not reach the expected state in ${timeoutMs} ms (last: ${last?.state})`);
}

export interface Me {
  balanceYen: number;
  hasCard: boolean;
  cardLast4: string | null;
  blocked: boolean;
  outstandingYen: number;
}

export async function meOf(user: AmplifyNodeUser): Promise<Me> {
  return (await ok(user.graphql<{ me: Me }>(Q.me))).me;
}

/**
 * Starts at a station and, the first time, saves `card` on the hosted Checkout page — walking the
 * emulator's 3DS step with `authenticate` when the card asks for it — then waits for CHARGING.
 */
export async function startCharging(
  user: AmplifyNodeUser,
  stationId: string,
  o: { card?: string; authenticate?: 'complete' | 'fail'; key?: string } = {},
): Promise<{ session: SessionDto; usedCheckout: boolean }> {
  const started = (await ok(startCharge(user, stationId, o.key))).startCharge;
  if (started.checkoutUrl) {
    const paid = await payHostedCheckout(started.checkoutUrl, {
      card: o.card ?? CARDS.ok,
      ...(o.authenticate ? { authenticate: o.authenticate } : {}),
    });
    expect(paid.outcome).toBe('completed');
  }
  const charging = await untilSession(user, started.session.id, (s) => s.state !== 'AWAITING_PAYMENT_METHOD');
  expect(['ENERGIZING', 'CHARGING']).toContain(charging.state);
  return {
    session: await untilSession(user, started.session.id, (s) => s.state === 'CHARGING'),
    usedCheckout: started.checkoutUrl !== null,
  };
}

/**
 * Lets the meter run past `minWh` (live figures arrive only by subscription: the stored session
 * is not written per meter report), stops, and waits for the session's settled state.
 */
export async function stopAfter(user: AmplifyNodeUser, id: string, minWh = 1): Promise<SessionDto> {
  const live = user.subscribe<{ onSessionUpdate: SessionDto }>(Q.onSession, { id });
  try {
    await live.ready;
    await live.waitFor((e) => (e.onSessionUpdate.energyWh ?? 0) >= minWh, 20_000);
  } finally {
    live.unsubscribe();
  }
  await ok(user.graphql<{ stopCharge: SessionDto }>(Q.stop, { id }));
  return untilSession(user, id, (s) => SETTLED.includes(s.state));
}

/** A whole session: start (saving the card if needed), charge a little, stop, the billing outcome. */
export async function chargeSession(
  user: AmplifyNodeUser,
  stationId: string,
  o: { card?: string; authenticate?: 'complete' | 'fail'; minWh?: number } = {},
): Promise<SessionDto> {
  const { session } = await startCharging(user, stationId, o);
  return stopAfter(user, session.id, o.minWh);
}

/** payOutstanding → the hosted payment page → PAID; returns the amount the page asked for. */
export async function payOutstanding(
  user: AmplifyNodeUser,
  card: string,
  authenticate?: 'complete' | 'fail',
): Promise<number> {
  const pay = (await ok(user.graphql<{ payOutstanding: { url: string; amountYen: number } }>(Q.pay))).payOutstanding;
  const paid = await payHostedCheckout(pay.url, { card, ...(authenticate ? { authenticate } : {}) });
  expect(paid.outcome).toBe('completed');
  return pay.amountYen;
}

/** Every session, ledger and driver item, as stored: equal snapshots mean nothing was written. */
export async function storeSnapshot(stack: LocalStack): Promise<{ items: number; text: string; claims: string }> {
  const ddb = localDynamoDbClient(stack.urls.dynamodb);
  const names = tableNames('ev-');
  try {
    const rows: string[] = [];
    for (const table of [names.sessions, names.drivers]) {
      let start: ScanCommandOutput['LastEvaluatedKey'];
      for (let page = 0; page < 50; page++) {
        const out = await ddb.send(
          new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }),
        );
        for (const item of out.Items ?? []) rows.push(`${table} ${JSON.stringify(item)}`);
        start = out.LastEvaluatedKey;
        if (!start) break;
      }
    }
    rows.sort();
    const stations = await stack.deps.ports.stations.list();
    const claims = stations
      .map((s) => `${s.id}=${s.activeSessionId ?? '-'}`)
      .sort()
      .join(',');
    return { items: rows.length, text: rows.join('\n'), claims };
  } finally {
    ddb.destroy();
  }
}

export function emulatorStripe(stack: LocalStack): Stripe {
  return createStripeClient({ secretKey: stack.secrets.stripeKey, apiBase: stack.urls.stripe, maxNetworkRetries: 0 });
}

/** The PaymentIntents the emulator holds for one of our sessions (by the metadata we attach). */
export async function paymentIntentsOf(stripe: Stripe, sessionId: string): Promise<Stripe.PaymentIntent[]> {
  const all = await stripe.paymentIntents.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 });
  return all.filter((pi) => pi.metadata.sessionId === sessionId);
}

/**
 * Tokens from the stack's own app client that expire after `seconds`: the client's validity is
 * shortened for one sign-in and put back at once (tokens already issued keep their own expiry).
 */
export async function shortLivedTokens(stack: LocalStack, email: string, seconds = 1): Promise<Tokens> {
  const cognito = new CognitoIdentityProviderClient({
    endpoint: stack.urls.cognito,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const ids = { UserPoolId: stack.urls.userPoolId, ClientId: stack.urls.clientId };
  try {
    const before = (await cognito.send(new DescribeUserPoolClientCommand(ids))).UserPoolClient;
    await cognito.send(
      new UpdateUserPoolClientCommand({
        ...ids,
        AccessTokenValidity: seconds,
        IdTokenValidity: seconds,
        TokenValidityUnits: { AccessToken: 'seconds', IdToken: 'seconds' },
      }),
    );
    try {
      return await tokensFor(stack.urls.cognito, { userPoolId: ids.UserPoolId, clientId: ids.ClientId }, email);
    } finally {
      await cognito.send(
        new UpdateUserPoolClientCommand({
          ...ids,
          AccessTokenValidity: before?.AccessTokenValidity ?? 24,
          IdTokenValidity: before?.IdTokenValidity ?? 24,
          TokenValidityUnits: {
            AccessToken: before?.TokenValidityUnits?.AccessToken ?? 'hours',
            IdToken: before?.TokenValidityUnits?.IdToken ?? 'hours',
          },
        }),
      );
    }
  } finally {
    cognito.destroy();
  }
}

/** Stations handed out one test at a time, so concurrent tests never race for the same one. */
export class StationPool {
  private readonly free: string[];
  private readonly waiting: ((id: string) => void)[] = [];

  constructor(ids: readonly string[]) {
    this.free = [...ids];
  }

  async use<T>(fn: (stationId: string) => Promise<T>): Promise<T> {
    const id = this.free.shift() ?? (await new Promise<string>((resolve) => this.waiting.push(resolve)));
    try {
      return await fn(id);
    } finally {
      const next = this.waiting.shift();
      if (next) next(id);
      else this.free.push(id);
    }
  }
}
