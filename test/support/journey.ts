/**
 * The driver's journey through the public API with the real aws-amplify v6 client — shared by the API
 * end-to-end test and the `npm start` test. Every step waits on what the driver would see.
 */
import { expect } from 'vitest';
import { type CognitoPoolRef, readConfirmationCode } from '../../infra/local/cognito/index.js';
import { payHostedCheckout } from '../../infra/local/stripe/index.js';
import { type AmplifyNodeTarget, AmplifyNodeUser } from './amplify-node.js';

const TARIFF = 'tariff { milliYenPerKwh sessionFeeYen milliYenPerMinute }';
export const SESSION_FIELDS = `id driverId stationId state ${TARIFF} createdAt startedAt endedAt powerW energyWh
  runningCostYen amountYen stopReason failureCode failureMessage checkoutUrl
  receipt { startRegisterWh stopRegisterWh energyWh sessionAmountYen carriedInYen chargedYen cardBrand cardLast4
  paymentIntentId paidAt } updatedAt`;

export const Q = {
  start: `mutation Start($stationId: ID!, $key: String!) {
    startCharge(stationId: $stationId, idempotencyKey: $key) { checkoutUrl session { ${SESSION_FIELDS} } } }`,
  stop: `mutation Stop($id: ID!) { stopCharge(sessionId: $id) { ${SESSION_FIELDS} } }`,
  session: `query S($id: ID!) { session(id: $id) { ${SESSION_FIELDS} } }`,
  me: 'query { me { id balanceYen hasCard cardBrand cardLast4 blocked outstandingYen isOperator } }',
  stations: 'query { stations { id name status unavailableReason ratedW } }',
  mySessions: `query { mySessions(limit: 20) { items { id state } nextToken } }`,
  pay: 'mutation { payOutstanding { url amountYen } }',
  onSession: `subscription On($id: ID!) { onSessionUpdate(id: $id) { ${SESSION_FIELDS} } }`,
};

export interface SessionDto {
  id: string;
  driverId: string;
  stationId: string;
  state: string;
  energyWh: number | null;
  runningCostYen: number | null;
  amountYen: number | null;
  checkoutUrl: string | null;
  failureCode: string | null;
  receipt: {
    startRegisterWh: number;
    stopRegisterWh: number;
    energyWh: number;
    chargedYen: number;
    carriedInYen: number;
    cardLast4: string | null;
    paymentIntentId: string | null;
  } | null;
}

let counter = 0;
export const uniqueEmail = (tag: string) => `${tag}-${Date.now().toString(36)}-${++counter}@example.com`;
export const PASSWORD = 'Journey-Passw0rd!';

/** Sign up, read the code the way a person reads cognito-local's output, confirm, sign in. */
export async function signedUpDriver(target: AmplifyNodeTarget, pool: CognitoPoolRef, tag = 'driver') {
  const user = new AmplifyNodeUser(target);
  const email = uniqueEmail(tag);
  await user.signUp(email, PASSWORD);
  await user.confirmSignUp(email, await readConfirmationCode(pool, email));
  await user.signIn(email, PASSWORD);
  return { user, email };
}

export async function ok<T>(p: Promise<{ data?: T | null; errors?: { message: string; errorType?: string }[] }>) {
  const r = await p;
  if (r.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
  if (!r.data) throw new Error('GraphQL returned no data');
  return r.data;
}

/** startCharge → (Checkout when needed) → CHARGING with rising kWh → stop → PAID with a receipt. */
export async function chargeOnce(
  user: AmplifyNodeUser,
  stationId: string,
  opts: { card?: string; minWh?: number; timeoutMs?: number } = {},
) {
  const timeout = opts.timeoutMs ?? 30_000;
  const started = await ok(
    user.graphql<{ startCharge: { checkoutUrl: string | null; session: SessionDto } }>(Q.start, {
      stationId,
      key: `key-${Date.now()}-${++counter}`,
    }),
  );
  const session = started.startCharge.session;
  const live = user.subscribe<{ onSessionUpdate: SessionDto }>(Q.onSession, { id: session.id });
  await live.ready;
  const usedCheckout = started.startCharge.checkoutUrl !== null;
  if (started.startCharge.checkoutUrl) {
    expect(session.state).toBe('AWAITING_PAYMENT_METHOD');
    const paid = await payHostedCheckout(started.startCharge.checkoutUrl, { card: opts.card ?? '4242424242424242' });
    expect(paid.outcome).toBe('completed');
  } else {
    expect(session.state).toBe('ENERGIZING');
  }
  const charging = await live.waitFor((e) => e.onSessionUpdate.state === 'CHARGING', timeout);
  const first = await live.waitFor(
    (e) => e.onSessionUpdate.state === 'CHARGING' && (e.onSessionUpdate.energyWh ?? 0) > 0,
    timeout,
  );
  const firstWh = first.onSessionUpdate.energyWh ?? 0;
  const rising = await live.waitFor(
    (e) => (e.onSessionUpdate.energyWh ?? 0) > Math.max(firstWh, opts.minWh ?? 0),
    timeout,
  );
  const stopped = await ok(user.graphql<{ stopCharge: SessionDto }>(Q.stop, { id: session.id }));
  const final = await live.waitFor(
    (e) => ['PAID', 'CARRIED_OVER', 'PAYMENT_FAILED', 'PAYMENT_ACTION_REQUIRED'].includes(e.onSessionUpdate.state),
    timeout,
  );
  live.unsubscribe();
  return {
    session,
    usedCheckout,
    charging: charging.onSessionUpdate,
    risingWh: [firstWh, rising.onSessionUpdate.energyWh ?? 0],
    stopped: stopped.stopCharge,
    final: final.onSessionUpdate,
    events: live.events.map((e) => e.onSessionUpdate),
  };
}
