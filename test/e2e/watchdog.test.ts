/**
 * Issue 9, re-drive watchdog and exposure cap, on the running local stack: stuck steps are repeated
 * idempotently until the session completes, a step stuck for N tries is alerted to the operator once
 * (visible through the operatorAlerts query), and the backend opens the breaker at a session's cap.
 * Every test ends with the shared invariants (nothing lost or doubled, nothing stuck).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durationMs, priceYen } from '../../functions/src/domain/pricing.js';
import type { Session } from '../../functions/src/domain/session.js';
import { adminAddUserToGroup } from '../../infra/local/cognito/index.js';
import type { AmplifyNodeUser } from '../support/amplify-node.js';
import { expectHealthy } from '../support/invariants.js';
import { chargeOnce, ok, PASSWORD, Q, type SessionDto, signedUpDriver } from '../support/journey.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { waitUntil } from './npm-start-child.js';

const ESCALATE_AFTER = 3;
const ALERTS = 'query A($limit: Int) { operatorAlerts(limit: $limit) { code detail sessionId stationId at } }';

interface AlertDto {
  code: string;
  detail: string;
  sessionId: string | null;
  stationId: string | null;
  at: string;
}

let t: TestStack;
let driver: AmplifyNodeUser;
let operator: AmplifyNodeUser;
let driverId: string;
const note = (s: string) => process.stdout.write(`[watchdog] ${s}\n`);

beforeAll(async () => {
  t = await startTestStack({
    EV_SWEEP_MS: '300',
    EV_START_RESEND_SEC: '1',
    EV_STOP_RESEND_SEC: '1',
    EV_PAYMENT_REDRIVE_SEC: '1',
    EV_REDRIVE_ESCALATE_AFTER: String(ESCALATE_AFTER),
  });
  driver = (await signedUpDriver(t.target, t.stack.cognitoPool, 'watchdog')).user;
  driverId = await driver.sub();
  const op = await signedUpDriver(t.target, t.stack.cognitoPool, 'operator');
  await adminAddUserToGroup(t.stack.cognitoPool, op.email, 'operators');
  await op.user.signOut();
  await op.user.signIn(op.email, PASSWORD);
  operator = op.user;
  // The first session saves the driver's card (Checkout); the ones below charge it off-session.
  expect((await chargeOnce(driver, 'TKY-SBY-01')).final.state).toMatch(/^(PAID|CARRIED_OVER)$/);
}, 180_000);

afterAll(async () => {
  await driver?.dispose();
  await operator?.dispose();
  await t?.stop();
});

const node = (stationId: string) => {
  const n = t.stack.simulator.fleet.nodes.find((x) => x.id === stationId);
  if (!n) throw new Error(`no simulated station ${stationId}`);
  return n;
};

async function stored(id: string): Promise<Session> {
  const s = await t.stack.deps.ports.sessions.get(id);
  if (!s) throw new Error(`no session ${id}`);
  return s;
}

async function until(id: string, accept: (s: Session) => boolean, timeoutMs = 30_000): Promise<Session> {
  let last: Session | undefined;
  try {
    await waitUntil(
      `session ${id}`,
      async () => {
        last = await stored(id);
        return accept(last);
      },
      timeoutMs,
    );
  } catch (e) {
    throw new Error(`${String(e)}; last seen ${last?.state}`);
  }
  return last ?? stored(id);
}

async function alertsOf(sessionId: string): Promise<AlertDto[]> {
  const data = await ok(operator.graphql<{ operatorAlerts: AlertDto[] }>(ALERTS, { limit: 200 }));
  return data.operatorAlerts.filter((a) => a.sessionId === sessionId);
}

async function startByApi(stationId: string): Promise<SessionDto> {
  const started = await ok(
    driver.graphql<{ startCharge: { checkoutUrl: string | null; session: SessionDto } }>(Q.start, {
      stationId,
      key: `wd-${stationId}-${Date.now()}`,
    }),
  );
  expect(started.startCharge.checkoutUrl).toBeNull();
  return started.startCharge.session;
}

const stop = (id: string) => ok(driver.graphql<{ stopCharge: SessionDto }>(Q.stop, { id }));
const charged = (s: Session) => ['PAID', 'CARRIED_OVER'].includes(s.state);

describe('re-drive watchdog', () => {
  it('re-sends the same close command while the acks are lost, and the start completes', async () => {
    const station = node('TKY-SBY-02').station;
    station.ackFaults = { dropP: 1 };
    const session = await startByApi('TKY-SBY-02');
    const { startCmdId: cmdId, createdAt } = await stored(session.id);
    // The station closed on the first command, but the backend never heard: ENERGIZING.
    await waitUntil('the breaker to close', () => station.sessionId === session.id, 10_000);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await stored(session.id)).state).toBe('ENERGIZING');
    // Acks get through again; the station answers a repeated cmdId with the same ack, so only a re-sent
    // close can move the session now (nothing else would before the 30 s ack timeout).
    station.ackFaults = {};
    const charging = await until(session.id, (s) => s.state === 'CHARGING', 10_000);
    expect(charging.startCmdId).toBe(cmdId);
    expect(Date.parse(charging.updatedAt) - Date.parse(createdAt)).toBeLessThan(30_000);
    await stop(session.id);
    expect(charged(await until(session.id, charged))).toBe(true);
  }, 60_000);

  it('re-sends the open command to a station offline at stop, alerts STUCK_STOPPING once, and completes', async () => {
    const n = node('TKY-SBY-01');
    const session = await startByApi('TKY-SBY-01');
    await until(session.id, (s) => s.state === 'CHARGING');
    n.goOffline(6_000);
    await stop(session.id);
    expect((await stored(session.id)).state).toBe('STOPPING');
    // 1 s between tries, escalation at the third: while the station is still away.
    await waitUntil('the STUCK_STOPPING alert', async () => (await alertsOf(session.id)).length > 0, 15_000);
    const [alert, ...more] = await alertsOf(session.id);
    expect(more).toEqual([]);
    expect(alert).toMatchObject({ code: 'STUCK_STOPPING', stationId: 'TKY-SBY-01' });
    expect(alert?.detail).toContain(`${ESCALATE_AFTER} tries`);
    expect(alert?.detail).toContain(`open command ${(await stored(session.id)).stopCmdId}`);
    note(`alert: ${alert?.detail}`);
    // Back online: the open command (same cmdId) opens the breaker; the session is billed once.
    const done = await until(session.id, charged, 30_000);
    expect(done.stopRegisterWh).toBe(n.station.registerWh);
    expect(await alertsOf(session.id)).toHaveLength(1);
  }, 90_000);

  it('re-reads the PaymentIntent when the payment webhook is lost, alerts after N failed tries, settles once', async () => {
    const stripe = t.stack.stripe;
    if (!stripe) throw new Error('this test needs the Stripe emulator');
    stripe.faults.holdWebhooks();
    // Every re-read fails for the first N tries (the SDK itself retries each call twice).
    stripe.faults.failApi({
      method: 'GET',
      path: /^\/v1\/payment_intents\/pi_/,
      mode: 'error-before',
      times: ESCALATE_AFTER * 3,
    });
    const session = await startByApi('YOK-MM-01'); // ¥110 session fee: always a real charge
    await until(session.id, (s) => s.state === 'CHARGING');
    await stop(session.id);
    await until(session.id, (s) => s.state === 'PAYMENT_PENDING' && s.paymentIntentId !== undefined);
    await waitUntil('the STUCK_PAYMENT_PENDING alert', async () => (await alertsOf(session.id)).length > 0, 30_000);
    const paid = await until(session.id, (s) => s.state === 'PAID', 30_000);
    expect(stripe.faults.apiFaultsPending()).toBe(0);
    const alerts = await alertsOf(session.id);
    expect(alerts.map((a) => a.code)).toEqual(['STUCK_PAYMENT_PENDING']);
    expect(alerts[0]?.detail).toContain(`PaymentIntent ${paid.paymentIntentId}`);
    // The lost deliveries arrive late: applied once, nothing moves back, nothing is charged twice.
    stripe.faults.releaseWebhooks('reverse');
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await stored(session.id)).state).toBe('PAID');
    const intents = await t.stack.deps.ports.payments.listPaymentIntents({ limit: 100 });
    expect(intents.filter((pi) => pi.sessionId === session.id && pi.status === 'succeeded')).toHaveLength(1);
  }, 90_000);

  it('ends with nothing lost, doubled or stuck', async () => {
    await expectHealthy(t);
  }, 60_000);
});

describe('exposure cap', () => {
  async function capped(stationId: string, exposureCap: { maxYen?: number; maxWh?: number }) {
    const r = await t.stack.deps.useCases.startCharge({
      driverId,
      stationId,
      startKey: `cap-${stationId}-${Date.now()}`,
      exposureCap,
    });
    if (!r.ok) throw new Error(r.error.message);
    return until(r.value.session.id, (s) => charged(s) || s.state === 'PAYMENT_FAILED', 60_000);
  }

  /** Billed from the registers (never from meter reports), priced once. */
  function expectBilledFromRegisters(s: Session, stationId: string) {
    const { startRegisterWh = -1, stopRegisterWh = -1 } = s;
    expect(s.energyWh).toBe(stopRegisterWh - startRegisterWh);
    expect(s.amountYen).toBe(priceYen(s.tariff, s.energyWh ?? -1, durationMs(s.startedAt, s.endedAt ?? '')));
    expect(stopRegisterWh).toBe(node(stationId).station.registerWh);
  }

  it('opens the breaker from the backend when the running cost reaches the yen cap', async () => {
    // ¥49/kWh + ¥1 per started minute: the station's own limit (the Wh the cap buys, 40 Wh) is
    // well past the point where the cost with the time fee reaches ¥2, so only the backend stops it.
    const s = await capped('TKY-SBY-03', { maxYen: 2 });
    expect(s.stopReason).toBe('exposureCap');
    expect(s.stopCmdId).toBeDefined(); // the backend's open command, not the station's own cap
    expect(s.amountYen).toBeGreaterThanOrEqual(2);
    expect(s.energyWh).toBeLessThan(40);
    expectBilledFromRegisters(s, 'TKY-SBY-03');
    expect(node('TKY-SBY-03').station.sessionId).toBeNull();
    note(`yen cap: ${s.energyWh} Wh, ¥${s.amountYen}`);
  }, 90_000);

  it('opens the breaker from the backend at the Wh cap, also when the station does not enforce it', async () => {
    // A station whose firmware ignores `limits.maxWh` (older breaker firmware): the commands reach it
    // without the limit, so only the backend's check of the meter reports can stop the session.
    const breaker = t.stack.deps.ports.breaker;
    const send = breaker.send.bind(breaker);
    breaker.send = async (stationId, command) => {
      if (stationId !== 'YOK-MM-02' || !command.limits) return send(stationId, command);
      const { maxWh: _ignored, ...limits } = command.limits;
      return send(stationId, { ...command, limits });
    };
    try {
      const s = await capped('YOK-MM-02', { maxWh: 15 });
      expect(s.stopReason).toBe('exposureCap');
      expect(s.stopCmdId).toBeDefined();
      expect(s.energyWh).toBeGreaterThanOrEqual(15);
      // One 400 ms report at 6 kW is under 1 Wh: the backend stops it within a report or two of the cap.
      expect(s.energyWh).toBeLessThanOrEqual(17);
      expectBilledFromRegisters(s, 'YOK-MM-02');
      expect(node('YOK-MM-02').station.sessionId).toBeNull();
      note(`Wh cap: ${s.energyWh} Wh, ¥${s.amountYen}`);
    } finally {
      breaker.send = send;
    }
  }, 90_000);

  it('ends with nothing lost, doubled or stuck', async () => {
    await expectHealthy(t);
  }, 60_000);
});
