import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priceYen } from '../../../functions/src/domain/pricing.js';
import type { Session } from '../../../functions/src/domain/session.js';
import type { SessionEvent } from '../../../functions/src/domain/session-events.js';
import { openSession } from '../../../functions/src/domain/session-factory.js';
import { applyEvent, STATE_RANK } from '../../../functions/src/domain/session-machine.js';

const RUNS = 1_000;
const T0 = Date.parse('2026-03-01T09:00:00.000Z');
const iso = (ms: number) => new Date(T0 + ms).toISOString();

const scenario = fc.record({
  tariff: fc.record({
    milliYenPerKwh: fc.integer({ min: 0, max: 120_000 }),
    sessionFeeYen: fc.integer({ min: 0, max: 300 }),
    milliYenPerMinute: fc.integer({ min: 0, max: 10_000 }),
  }),
  startWh: fc.integer({ min: 0, max: 10_000_000 }),
  energyWh: fc.integer({ min: 0, max: 80_000 }),
  startedAfterMs: fc.integer({ min: 0, max: 60_000 }),
  durationMs: fc.integer({ min: 0, max: 8 * 3_600_000 }),
  balanceYen: fc.integer({ min: 0, max: 49 }),
  ending: fc.constantFrom('openAck', 'sessionEnd', 'both'),
  payment: fc.constantFrom('succeeded', 'actionThenHosted', 'declinedThenHosted', 'declined'),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Every event one real lifecycle produces (acks, station events, billing, webhooks). */
function lifecycle(s: Scenario): SessionEvent[] {
  const startedAt = iso(s.startedAfterMs);
  const endedAt = iso(s.startedAfterMs + s.durationMs);
  const stopWh = s.startWh + s.energyWh;
  const events: SessionEvent[] = [
    { type: 'BreakerClosed', cmdId: 'cmd_start', registerWh: s.startWh, at: startedAt },
    { type: 'StopRequested', cmdId: 'cmd_stop', reason: 'remote' },
  ];
  if (s.ending !== 'sessionEnd')
    events.push({ type: 'BreakerOpened', cmdId: 'cmd_stop', registerWh: stopWh, at: endedAt });
  if (s.ending !== 'openAck') {
    events.push({
      type: 'SessionEnded',
      startRegisterWh: s.startWh,
      stopRegisterWh: stopWh,
      startedAt,
      endedAt,
      reason: 'remote',
    });
  }
  events.push({ type: 'BillingDecided', balanceYen: s.balanceYen, customerId: 'cus', paymentMethodId: 'pm' });
  events.push({ type: 'ChargeSubmitted', paymentIntentId: 'pi_1', status: 'processing' });
  if (s.payment === 'succeeded')
    events.push({ type: 'PaymentSucceeded', paymentIntentId: 'pi_1', amountYen: 1, via: 'offSession' });
  if (s.payment === 'actionThenHosted') events.push({ type: 'PaymentActionRequired', paymentIntentId: 'pi_1' });
  if (s.payment.startsWith('declined'))
    events.push({ type: 'PaymentDeclined', paymentIntentId: 'pi_1', code: 'card_declined', message: 'no' });
  if (s.payment.endsWith('Hosted'))
    events.push({ type: 'PaymentSucceeded', paymentIntentId: 'pi_2', amountYen: 1, via: 'checkout' });
  return events;
}

/** Each event at least once, some several times, in any order. */
const deliveries = (events: SessionEvent[]) =>
  fc
    .array(fc.nat({ max: events.length - 1 }), { maxLength: events.length * 2 })
    .chain((extra) => {
      const all = [...events.map((_, i) => i), ...extra];
      return fc.shuffledSubarray(all, { minLength: all.length });
    })
    .map((order) => order.map((i) => events[i] as SessionEvent));

function start(s: Scenario): Session {
  return openSession({
    id: 'ses_p',
    driverId: 'drv',
    stationId: 'st',
    startKey: 'k',
    tariff: s.tariff,
    at: iso(0),
    start: { kind: 'cardOnFile', paymentMethodId: 'pm', startCmdId: 'cmd_start' },
  }).session;
}

/** Applies deliveries as the use-cases do: transitions commit, no-ops and illegal ones change nothing. */
function run(s: Scenario, order: SessionEvent[]) {
  let session = start(s);
  const states = [session.state];
  const entries = [];
  for (const [i, event] of order.entries()) {
    const t = applyEvent(session, event, iso(10_000_000 + i));
    if (t.kind === 'transitioned') {
      expect(t.entry.from).toBe(session.state);
      expect(t.entry.seq).toBe(session.version + 1);
      session = t.session;
      entries.push(t.entry);
    } else if (t.kind === 'noop') {
      expect(t.state).toBe(session.state);
    }
    states.push(session.state);
  }
  return { session, states, entries };
}

describe('session machine under duplicated and reordered deliveries', () => {
  it('never moves a session backwards', () => {
    fc.assert(
      fc.property(
        scenario.chain((s) => fc.tuple(fc.constant(s), deliveries(lifecycle(s)))),
        ([s, order]) => {
          const { states } = run(s, order);
          for (let i = 1; i < states.length; i += 1) {
            expect(STATE_RANK[states[i] as Session['state']]).toBeGreaterThanOrEqual(
              STATE_RANK[states[i - 1] as Session['state']],
            );
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('bills an amount that is a pure function of (stop − start register, duration, tariff), whatever the order', () => {
    fc.assert(
      fc.property(
        scenario.chain((s) => fc.tuple(fc.constant(s), deliveries(lifecycle(s)), deliveries(lifecycle(s)))),
        ([s, a, b]) => {
          const expected = priceYen(s.tariff, s.energyWh, s.durationMs);
          const one = run(s, a).session;
          const two = run(s, b).session;
          for (const x of [one, two]) {
            if (x.amountYen === undefined) continue;
            expect(x.energyWh).toBe(s.energyWh);
            expect(x.amountYen).toBe(expected);
          }
          if (one.amountYen !== undefined && two.amountYen !== undefined) expect(one.amountYen).toBe(two.amountYen);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('sets the charge record once: one attempt, one key, chargeYen = amount + carried-in balance', () => {
    fc.assert(
      fc.property(
        scenario.chain((s) => fc.tuple(fc.constant(s), deliveries(lifecycle(s)))),
        ([s, order]) => {
          const { session, entries } = run(s, order);
          expect(entries.filter((e) => e.cause === 'BillingDecided').length).toBeLessThanOrEqual(1);
          expect(entries.filter((e) => e.to === 'PAID' && e.from !== 'PAID').length).toBeLessThanOrEqual(1);
          if (session.state === 'CARRIED_OVER') expect((session.amountYen ?? 0) + s.balanceYen).toBeLessThan(50);
          if (session.chargeYen && session.state !== 'CARRIED_OVER') {
            expect(session.chargeYen).toBe((session.amountYen ?? 0) + s.balanceYen);
            expect(session.idempotencyKey).toBe('charge:ses_p:1');
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
