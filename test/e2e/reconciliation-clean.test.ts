/**
 * Reconciliation reports nothing after a clean run of 1,000 sessions.
 *
 * The sessions are driven through the use-cases on the running stack's own store (DynamoDB Local),
 * Stripe emulator, webhook server and sweeper — not through MQTT and simulated stations. A thousand
 * sessions through the full path (GraphQL, broker, a simulated station per lane, real charge times)
 * would take many minutes on this shared 2-core machine; reconciliation only reads what those paths
 * leave behind (sessions, ledgers, PaymentIntents, station rows), so records made this way test the
 * same thing at a fraction of the cost (the whole-path equivalents are journey.test.ts and the
 * benches). Station messages (close/open acks, meter reports, session_end, breaker state) go through
 * the stack's station sink exactly as the station-events handler passes them on, to extra station rows
 * that no simulator listens to (their commands reach nobody). Measured on this 2-core machine: 1,000
 * sessions in 63 s (+3 s to settle and reconcile, 73 s for the file) at load ~2; 278 s at load ~11.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ack, MeterReport, SessionEnd } from '../../contracts/station-protocol.js';
import { createStripeClient } from '../../functions/src/adapters/stripe/stripe-client.js';
import { newDriver } from '../../functions/src/domain/driver-effects.js';
import type { SessionState } from '../../functions/src/domain/session.js';
import type { InboundMeta } from '../../functions/src/handlers/station-event-sink.js';
import { expectHealthy } from '../support/invariants.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const SESSIONS = 1_000;
/** Lanes run in parallel: one driver and one station each, sessions one after another. */
const LANES = 25;
const PER_LANE = SESSIONS / LANES;

let t: TestStack;

beforeAll(async () => {
  // One simulated station is enough (the lanes use rows of their own); a slower sweep keeps it out of the way
  // of the run without switching it off — it still settles anything a lane leaves behind.
  t = await startTestStack({ EV_STATIONS: '1', EV_SWEEP_MS: '5000' });
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

const meta = (stationId: string, channel: string): InboundMeta => {
  const now = new Date();
  return { topic: `ev/v1/st/${stationId}/${channel}`, receivedAtMs: now.getTime(), receivedAt: now.toISOString() };
};

interface Lane {
  driverId: string;
  stationId: string;
  registerWh: number;
  seq: number;
}

/** A station row of the lane's own, copied from the seeded one (same tariff), online and free. */
async function laneStation(i: number): Promise<string> {
  const { stations } = t.stack.deps.ports;
  const seeded = await stations.get(t.stack.stations[0]?.id ?? '');
  if (!seeded) throw new Error('the seeded station is missing');
  const id = `CLEAN-${String(i).padStart(3, '0')}`;
  const at = new Date().toISOString();
  await stations.put({
    ...seeded,
    id,
    name: `Clean run ${i}`,
    online: true,
    breaker: 'open',
    activeSessionId: undefined,
    fault: undefined,
    powerW: 0,
    observations: undefined,
    lastSeenAt: at,
    updatedAt: at,
  });
  return id;
}

/** A driver with a customer and a saved card at the Stripe emulator, as a completed Checkout leaves them. */
async function laneDriver(i: number): Promise<string> {
  const { drivers, payments } = t.stack.deps.ports;
  const id = `drv_clean_${i}`;
  const at = new Date().toISOString();
  const driver = await drivers.ensure(newDriver(id, at, `clean${i}@example.test`));
  const { customerId } = await payments.ensureCustomer({ driverId: id, email: driver.email });
  const secretKey = t.stack.deps.config.STRIPE_SECRET_KEY;
  if (!secretKey) throw new Error('the test stack has no Stripe key');
  const stripe = createStripeClient({ secretKey, apiBase: t.stack.urls.stripe });
  const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customerId });
  await payments.setDefaultPaymentMethod(customerId, pm.id);
  const saved = await drivers.update(
    {
      ...driver,
      stripeCustomerId: customerId,
      defaultPaymentMethodId: pm.id,
      cardBrand: 'visa',
      cardLast4: '4242',
      version: driver.version + 1,
    },
    driver.version,
  );
  if (!saved) throw new Error(`driver ${id} changed while being set up`);
  return id;
}

/** One session as a station and its driver would play it: start, close ack, a few meter reports, stop, open ack, session_end. */
async function oneSession(lane: Lane, n: number): Promise<string> {
  const { useCases, stationSink } = t.stack.deps;
  const { stationId, driverId } = lane;
  const started = await useCases.startCharge({ driverId, stationId, startKey: `clean-${stationId}-${n}` });
  if (!started.ok) throw new Error(`start ${stationId}#${n}: ${started.error.message}`);
  const session = started.value.session;
  if (session.state !== 'ENERGIZING' || !session.startCmdId) throw new Error(`start gave ${session.state}`);
  const sessionId = session.id;
  const startWh = lane.registerWh;
  const startedAt = new Date().toISOString();
  const ack = (cmdId: string, action: 'close' | 'open', breaker: 'open' | 'closed', at: string): Ack => ({
    v: 1,
    cmdId,
    sessionId,
    action,
    ok: true,
    breaker,
    registerWh: lane.registerWh,
    at,
  });

  await stationSink.ack(stationId, ack(session.startCmdId, 'close', 'closed', startedAt), meta(stationId, 'ack'));
  await stationSink.presence(
    stationId,
    { kind: 'state', breaker: 'closed', sessionId, receivedAt: new Date().toISOString() },
    meta(stationId, 'state'),
  );
  // 1.0–2.9 kWh in three reports: every bill is well above the carry-over threshold.
  const energyWh = 1_000 + ((n * 37) % 1_900);
  for (const part of [1, 2, 3]) {
    lane.registerWh = startWh + Math.round((energyWh * part) / 3);
    const report: MeterReport = {
      v: 1,
      seq: lane.seq++,
      at: new Date().toISOString(),
      registerWh: lane.registerWh,
      powerW: 7_000,
      breaker: 'closed',
      sessionId,
    };
    await stationSink.meter(stationId, report, meta(stationId, 'meter'));
  }

  const stopped = await useCases.stopCharge({ driverId, sessionId });
  if (!stopped.ok) throw new Error(`stop ${sessionId}: ${stopped.error.message}`);
  const stopCmdId = stopped.value.stopCmdId;
  if (stopped.value.state !== 'STOPPING' || !stopCmdId) throw new Error(`stop gave ${stopped.value.state}`);
  const endedAt = new Date().toISOString();
  await stationSink.ack(stationId, ack(stopCmdId, 'open', 'open', endedAt), meta(stationId, 'ack'));
  await stationSink.presence(
    stationId,
    { kind: 'state', breaker: 'open', sessionId: null, receivedAt: new Date().toISOString() },
    meta(stationId, 'state'),
  );
  // The station also reports the session's end; after the open ack it changes nothing.
  const end: SessionEnd = {
    v: 1,
    event: 'session_end',
    sessionId,
    startRegisterWh: startWh,
    stopRegisterWh: lane.registerWh,
    startedAt,
    endedAt,
    reason: 'remote',
    at: new Date().toISOString(),
  };
  await stationSink.sessionEnd(stationId, end, meta(stationId, 'evt'));
  return sessionId;
}

async function sessionsIn(state: SessionState): Promise<number> {
  return (await t.stack.deps.ports.sessions.listByState(state, SESSIONS + 1)).length;
}

describe('reconciliation after a clean run', () => {
  it(`finds zero anomalies in ${SESSIONS} sessions`, async () => {
    const began = Date.now();
    const lanes: Lane[] = await Promise.all(
      Array.from({ length: LANES }, async (_, i) => ({
        stationId: await laneStation(i),
        driverId: await laneDriver(i),
        registerWh: 10_000 + i * 1_000_000,
        seq: 1,
      })),
    );
    const ids = (
      await Promise.all(
        lanes.map(async (lane) => {
          const mine: string[] = [];
          for (let n = 0; n < PER_LANE; n++) mine.push(await oneSession(lane, n));
          return mine;
        }),
      )
    ).flat();
    expect(new Set(ids).size).toBe(SESSIONS);
    const drivenMs = Date.now() - began;

    // Charges settle through the emulator's webhooks (and the sweeper, for any a webhook has not reached yet).
    const health = await expectHealthy(t, { settleMs: 60_000 });
    expect(health.anomalies).toEqual([]);
    expect(health.stuck).toEqual([]);
    expect(health.sessionsByState).toEqual({ PAID: SESSIONS });
    expect(health.charges).toBe(SESSIONS);
    expect(await sessionsIn('PAID')).toBe(SESSIONS);

    const run = await t.stack.deps.reconcile();
    expect(run.checkedSessions).toBe(SESSIONS);
    expect(run.checkedPaymentIntents).toBe(SESSIONS);
    expect(run.anomalies).toEqual([]);
    expect(await t.stack.deps.anomalies.list({ limit: 10 })).toEqual([]);
    // Every lane's station ended free with its breaker open.
    for (const lane of lanes) {
      const st = await t.stack.deps.ports.stations.get(lane.stationId);
      expect(st?.breaker).toBe('open');
      expect(st?.activeSessionId).toBeUndefined();
    }
    console.info(
      `clean run: ${SESSIONS} sessions driven in ${drivenMs} ms, settled+reconciled in ${Date.now() - began - drivenMs} ms`,
    );
  }, 600_000);
});
