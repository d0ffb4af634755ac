/**
 * Reconciliation on the running local stack: a clean charge gives nothing; a seeded set with one
 * injected inconsistency of each kind (written straight to the store, charged straight at the Stripe
 * emulator, or reported by a simulated station's meter) is caught in full, each with its subject;
 * an operator's review is not reopened by a re-run. Through GraphQL: a driver asking for anomalies or
 * reviewing one is refused (Unauthorized: not in the operators group); an operator lists the open ones and reviews one with a note.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANOMALY_KINDS } from '../../functions/src/domain/reconciliation.js';
import type { Session } from '../../functions/src/domain/session.js';
import { adminAddUserToGroup } from '../../infra/local/cognito/index.js';
import type { AmplifyNodeUser } from '../support/amplify-node.js';
import { expectHealthy } from '../support/invariants.js';
import { chargeOnce, ok, PASSWORD, signedUpDriver } from '../support/journey.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let t: TestStack;
let user: AmplifyNodeUser;
let operator: AmplifyNodeUser;

const ANOMALY_FIELDS = 'id kind subject sessionId stationId detail evidence foundAt review { operatorId note at }';
const LIST = `query L($open: Boolean, $limit: Int) { operatorAnomalies(open: $open, limit: $limit) { ${ANOMALY_FIELDS} } }`;
const REVIEW = `mutation R($id: ID!, $note: String!) { reviewAnomaly(id: $id, note: $note) { ${ANOMALY_FIELDS} } }`;
interface AnomalyDto {
  id: string;
  kind: string;
  subject: string;
  evidence: string;
  review: { operatorId: string; note: string; at: string } | null;
}

beforeAll(async () => {
  t = await startTestStack({ EV_STATIONS: '8' });
  user = (await signedUpDriver(t.target, t.stack.cognitoPool)).user;
  const op = await signedUpDriver(t.target, t.stack.cognitoPool, 'operator');
  await adminAddUserToGroup(t.stack.cognitoPool, op.email, 'operators');
  // A fresh sign-in carries the group in the token.
  await op.user.signOut();
  await op.user.signIn(op.email, PASSWORD);
  operator = op.user;
}, 120_000);

afterAll(async () => {
  await user?.dispose();
  await operator?.dispose();
  await t?.stop();
});

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

/** A session written straight to the store, as a bug elsewhere might have left it. */
async function injectSession(s: Session): Promise<void> {
  await t.stack.deps.ports.sessions.create(s, {
    sessionId: s.id,
    seq: 1,
    at: s.updatedAt,
    from: null,
    to: s.state,
    cause: 'Injected',
    evidence: {},
  });
}

function base(id: string, stationId: string): Session {
  const tariff = { milliYenPerKwh: 50_000, sessionFeeYen: 100, milliYenPerMinute: 0 };
  return {
    id,
    driverId: 'drv_injected',
    stationId,
    startKey: id,
    state: 'PAID',
    version: 1,
    tariff,
    createdAt: hoursAgo(3),
    updatedAt: hoursAgo(2),
    startedAt: hoursAgo(3),
    endedAt: hoursAgo(2.5),
    startRegisterWh: 1_000,
    stopRegisterWh: 3_000,
    energyWh: 2_000,
    amountYen: 200,
    carriedInYen: 0,
    chargeYen: 200,
  };
}

describe('reconciliation on the running stack', () => {
  let paidSessionId = '';

  it('finds nothing after a clean charge', async () => {
    const run = await chargeOnce(user, 'YOK-MM-01');
    expect(run.final.state).toBe('PAID');
    paidSessionId = run.session.id;
    const report = await expectHealthy(t);
    expect(report.charges).toBe(1);
    expect(report.sessionsByState.PAID).toBe(1);
  });

  it('catches one injected inconsistency of every kind, each with its subject', async () => {
    const { ports } = t.stack.deps;
    const driver = await ports.drivers.get(run0DriverId(await ports.sessions.get(paidSessionId)));
    const customerId = driver?.stripeCustomerId ?? '';
    const paymentMethodId = driver?.defaultPaymentMethodId ?? '';
    const charge = (sessionId: string, amountYen: number, key: string) =>
      ports.payments.chargeOffSession({
        customerId,
        paymentMethodId,
        amountYen,
        sessionId,
        attempt: 1,
        idempotencyKey: key,
      });

    // CHARGED_NOT_RECORDED: money taken for a session we never recorded.
    const ghost = await charge('ses_inj_ghost', 500, 'inj-ghost');
    // DOUBLE_CHARGE: the paid session charged a second time (another key).
    const again = await charge(paidSessionId, 300, 'inj-again');
    // PAID_WITHOUT_SUCCEEDED_PI: recorded paid with an intent the processor never had.
    await injectSession({ ...base('ses_inj_nopi', t.stack.stations[1]?.id ?? ''), paymentIntentId: 'pi_inj_missing' });
    // AMOUNT_MISMATCH: 2,000 Wh at ¥50/kWh + ¥100 is ¥200, recorded (and charged) as ¥999.
    const wrong = await charge('ses_inj_amount', 999, 'inj-amount');
    const wrongPi = 'paymentIntentId' in wrong ? wrong.paymentIntentId : undefined;
    await injectSession({
      ...base('ses_inj_amount', t.stack.stations[2]?.id ?? ''),
      amountYen: 999,
      chargeYen: 999,
      paymentIntentId: wrongPi,
    });
    // METERED_NOT_CHARGED: a charge pending for hours (its intent unknown to the processor, so the sweeper cannot settle it).
    await injectSession({
      ...base('ses_inj_pending', t.stack.stations[3]?.id ?? ''),
      state: 'PAYMENT_PENDING',
      paymentIntentId: 'pi_inj_lost',
    });
    // CHARGING_OFFLINE_PAST_CAP: charging on a station offline for two hours.
    const offline = { ...t.stack.stations[0], id: 'RECON-OFFLINE-1' };
    const row = await ports.stations.get(t.stack.stations[4]?.id ?? '');
    if (!row) throw new Error('seeded station missing');
    await ports.stations.put({
      ...row,
      id: 'RECON-OFFLINE-1',
      online: false,
      lastSeenAt: hoursAgo(2),
      breaker: 'closed',
      activeSessionId: 'ses_inj_offline',
    });
    await injectSession({
      ...base('ses_inj_offline', offline.id),
      state: 'CHARGING',
      endedAt: undefined,
      stopRegisterWh: undefined,
      energyWh: undefined,
      amountYen: undefined,
      chargeYen: undefined,
    });
    // BREAKER_CLOSED_WITHOUT_SESSION: a free station reporting its breaker closed.
    const free = t.stack.stations.at(-1)?.id ?? '';
    await ports.stations.updatePresence(free, { breaker: 'closed' }, new Date().toISOString());
    // METER_REGISTER_BACKWARDS and METER_SERIAL_CHANGED: reported by simulated meters over MQTT.
    const nodes = t.stack.simulator.fleet.nodes;
    const backwards = nodes[5]?.station;
    const swapped = nodes[6]?.station;
    if (!backwards || !swapped) throw new Error('simulated stations missing');
    backwards.meterFault('backwards', 100);
    swapped.meterFault('swap');
    await waitFor(async () => {
      const [b, s] = await Promise.all([ports.stations.get(backwards.id), ports.stations.get(swapped.id)]);
      return (b?.observations?.length ?? 0) > 0 && (s?.observations?.length ?? 0) > 0;
    });

    const report = await expectHealthy(t, {
      expectedAnomalies: [...ANOMALY_KINDS],
      allowInFlight: ['ses_inj_offline', 'ses_inj_pending'],
    });
    const subjects = (kind: string) => report.anomalies.filter((a) => a.kind === kind).map((a) => a.subject);
    expect(subjects('CHARGED_NOT_RECORDED')).toContain('paymentIntentId' in ghost ? ghost.paymentIntentId : '?');
    expect(subjects('CHARGED_NOT_RECORDED')).toContain('paymentIntentId' in again ? again.paymentIntentId : '?');
    expect(subjects('DOUBLE_CHARGE')).toEqual([paidSessionId]);
    expect(subjects('PAID_WITHOUT_SUCCEEDED_PI')).toEqual(['ses_inj_nopi']);
    expect(subjects('AMOUNT_MISMATCH')).toEqual(['ses_inj_amount']);
    expect(subjects('METERED_NOT_CHARGED')).toEqual(['ses_inj_pending']);
    expect(subjects('CHARGING_OFFLINE_PAST_CAP')).toEqual(['ses_inj_offline']);
    expect(subjects('BREAKER_CLOSED_WITHOUT_SESSION')).toEqual([expect.stringMatching(new RegExp(`^${free}/`))]);
    // An injected session on a simulated station's meter may also read as a register step back (allowed).
    expect(subjects('METER_REGISTER_BACKWARDS')).toContainEqual(expect.stringMatching(new RegExp(`^${backwards.id}@`)));
    expect(subjects('METER_SERIAL_CHANGED')).toEqual([expect.stringMatching(new RegExp(`^${swapped.id}@`))]);
  });

  it('lists them for the operator; a review with a note is kept and a re-run does not reopen it', async () => {
    const { anomalies } = t.stack.deps;
    const open = await anomalies.list({ open: true, limit: 100 });
    const target = open.find((a) => a.kind === 'DOUBLE_CHARGE');
    if (!target) throw new Error('no DOUBLE_CHARGE recorded');
    const review = { operatorId: 'op_test', note: 'refund the second charge by hand', at: new Date().toISOString() };
    expect(await anomalies.review(target.id, review)).toBe(true);
    const rerun = await t.stack.deps.reconcile();
    expect(rerun.anomalies.map((a) => a.id)).toContain(target.id);
    expect(rerun.newAnomalies).toEqual([]);
    expect(await anomalies.get(target.id)).toMatchObject({ review });
    expect((await anomalies.list({ open: true, limit: 100 })).map((a) => a.id)).not.toContain(target.id);
  });

  it('through GraphQL: a driver is refused (not an operator) and changes nothing; the operator lists and reviews', async () => {
    const open = await ok(operator.graphql<{ operatorAnomalies: AnomalyDto[] }>(LIST, { open: true, limit: 100 }));
    const target = open.operatorAnomalies.find((a) => a.kind === 'AMOUNT_MISMATCH');
    if (!target) throw new Error('no open AMOUNT_MISMATCH listed');
    expect(target).toMatchObject({ subject: 'ses_inj_amount', review: null });
    expect(JSON.parse(target.evidence)).toMatchObject({ amountYen: 999, chargeYen: 999 });

    for (const [doc, vars] of [
      [LIST, { open: true }],
      [REVIEW, { id: target.id, note: 'driver trying' }],
    ] as const) {
      const refused = await user.graphql(doc, vars);
      // AppSync's own group check answers first (the resolver's FORBIDDEN is the second line, unit-tested).
      expect(refused.errors?.[0], doc).toMatchObject({
        errorType: 'Unauthorized',
        message: expect.stringMatching(
          /^Not Authorized to access (operatorAnomalies on type Query|reviewAnomaly on type Mutation)$/,
        ),
      });
      expect(refused.data ?? null).toBeNull();
    }
    expect((await t.stack.deps.anomalies.get(target.id))?.review).toBeUndefined();

    const empty = await operator.graphql(REVIEW, { id: target.id, note: '   ' });
    expect(empty.errors?.[0]).toMatchObject({ errorType: 'VALIDATION' });
    const opSub = await operator.sub();
    const reviewed = await ok(
      operator.graphql<{ reviewAnomaly: AnomalyDto }>(REVIEW, {
        id: target.id,
        note: 'tariff bug; refunded ¥799 by hand',
      }),
    );
    expect(reviewed.reviewAnomaly.review).toMatchObject({
      operatorId: opSub,
      note: 'tariff bug; refunded ¥799 by hand',
    });
    const after = await ok(operator.graphql<{ operatorAnomalies: AnomalyDto[] }>(LIST, { open: true, limit: 100 }));
    expect(after.operatorAnomalies.map((a) => a.id)).not.toContain(target.id);
    const again = await operator.graphql(REVIEW, { id: target.id, note: 'second look' });
    expect(again.errors?.[0]).toMatchObject({ errorType: 'VALIDATION' });
    expect((await t.stack.deps.anomalies.get(target.id))?.review?.note).toBe('tariff bug; refunded ¥799 by hand');
  });
});

function run0DriverId(s: Session | undefined): string {
  if (!s) throw new Error('the clean session is missing');
  return s.driverId;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the stations to report');
    await new Promise((r) => setTimeout(r, 100));
  }
}
