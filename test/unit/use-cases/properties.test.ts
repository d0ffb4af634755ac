import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChargeScript } from '../../../functions/src/adapters/memory/memory-payment-gateway.js';
import { STATE_RANK } from '../../../functions/src/domain/session-machine.js';
import { type Harness, harness, value } from './harness.js';

const RUNS = 1_000;

type Delivery = 'closeAck' | 'stop' | 'openAck' | 'sessionEnd' | 'charge' | 'sweep' | 'webhook';
const DELIVERIES: Delivery[] = ['closeAck', 'stop', 'openAck', 'sessionEnd', 'charge', 'sweep', 'webhook'];

/** Each delivery at least once, some repeated, in any order. */
const schedule = fc.array(fc.constantFrom(...DELIVERIES), { maxLength: 12 }).chain((extra) => {
  const all = [...DELIVERIES, ...extra];
  return fc.shuffledSubarray(all, { minLength: all.length });
});

const script = fc.array(
  fc.constantFrom<ChargeScript>('succeeded', 'processing', 'retryable', 'lost_response', 'action_required', 'declined'),
  { maxLength: 4 },
);

const START_WH = 50_000;

async function deliver(h: Harness, id: string, d: Delivery, energyWh: number): Promise<void> {
  const s = await h.sessions.get(id);
  switch (d) {
    case 'closeAck':
      await h.ackClose(id, START_WH);
      return;
    case 'stop':
      await h.uc.stopCharge({ driverId: 'drv_1', sessionId: id });
      return;
    case 'openAck':
      // A station only answers an open it received; before that there is nothing to ack.
      if (s?.stopCmdId) await h.ackOpen(id, START_WH + energyWh);
      return;
    case 'sessionEnd':
      await h.uc.sessionEndedByStation({
        stationId: 'st_1',
        sessionId: id,
        startRegisterWh: START_WH,
        stopRegisterWh: START_WH + energyWh,
        startedAt: '2026-03-01T09:00:00.000Z',
        endedAt: '2026-03-01T09:30:00.000Z',
        reason: 'evDisconnected',
      });
      return;
    case 'charge':
      await h.uc.chargeSession({ sessionId: id });
      return;
    case 'sweep':
      h.clock.advance(61_000);
      await h.uc.sweepStale();
      return;
    case 'webhook':
      // The processor announces every intent of this session that succeeded; ids are stable, so repeats dedupe.
      for (const pi of h.payments.succeededIntents(id)) {
        await h.uc.paymentEvent({
          type: 'payment.succeeded',
          eventId: `evt_${pi.id}`,
          paymentIntentId: pi.id,
          amountYen: pi.amountYen,
          sessionId: id,
        });
      }
      return;
  }
}

async function ledgerMovesForward(h: Harness, id: string): Promise<void> {
  const ledger = await h.sessions.ledger(id);
  for (let i = 1; i < ledger.length; i += 1) {
    const prev = ledger[i - 1];
    const cur = ledger[i];
    if (!prev || !cur) continue;
    expect(cur.from).toBe(prev.to);
    expect(cur.seq).toBe(prev.seq + 1);
    expect(STATE_RANK[cur.to]).toBeGreaterThanOrEqual(STATE_RANK[prev.to]);
  }
}

describe('use-cases under duplicated and reordered deliveries', () => {
  it('never charges a session twice: one idempotency key, at most one succeeded payment, ledger only forward', async () => {
    await fc.assert(
      fc.asyncProperty(schedule, script, fc.integer({ min: 0, max: 20_000 }), async (order, steps, energyWh) => {
        const h = harness();
        await h.addStation('st_1');
        await h.driverWithCard('drv_1');
        h.payments.scriptCharges(...steps);
        const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' }));
        for (const d of order) await deliver(h, session.id, d, energyWh);
        // Then let the platform settle: re-drive and deliver webhooks a few times.
        for (let i = 0; i < 4; i += 1) {
          await deliver(h, session.id, 'sweep', energyWh);
          await deliver(h, session.id, 'webhook', energyWh);
        }
        const keys = new Set(h.payments.chargeCalls.map((c) => c.idempotencyKey));
        expect(keys.size).toBeLessThanOrEqual(1);
        expect(h.payments.succeededIntents(session.id).length).toBeLessThanOrEqual(1);
        expect(new Set(h.payments.chargeCalls.map((c) => c.amountYen)).size).toBeLessThanOrEqual(1);
        await ledgerMovesForward(h, session.id);
        const final = await h.sessions.get(session.id);
        if (final?.state === 'PAID') expect(h.payments.succeededIntents(session.id)[0]?.id).toBe(final.paymentIntentId);
        if (h.payments.succeededIntents(session.id).length === 1) expect(final?.state).toBe('PAID');
      }),
      { numRuns: RUNS },
    );
  });

  it('conserves every yen of carried balances across many concurrent sessions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 1_500 }), { minLength: 1, maxLength: 6 }),
        async (energies) => {
          const h = harness();
          await h.driverWithCard('drv_1');
          const ids: string[] = [];
          for (const [n] of energies.entries()) {
            await h.addStation(`st_${n}`);
            const { session } = value(
              await h.uc.startCharge({ driverId: 'drv_1', stationId: `st_${n}`, startKey: `k${n}` }),
            );
            await h.ackClose(session.id, START_WH);
            await h.uc.stopCharge({ driverId: 'drv_1', sessionId: session.id });
            ids.push(session.id);
          }
          // All sessions meter at once: their billing races for the same driver row.
          await Promise.all(ids.map((id, n) => h.ackOpen(id, START_WH + (energies[n] ?? 0))));
          for (let i = 0; i < 10 && (await h.sessions.listByState('METERED', 100)).length > 0; i += 1) {
            h.clock.advance(61_000);
            await h.uc.sweepStale();
          }
          const sessions = await Promise.all(ids.map((id) => h.sessions.get(id)));
          const amounts = sessions.reduce((sum, s) => sum + (s?.amountYen ?? 0), 0);
          const charged = sessions.reduce((sum, s) => sum + (s?.state === 'CARRIED_OVER' ? 0 : (s?.chargeYen ?? 0)), 0);
          const balance = (await h.drivers.get('drv_1'))?.balanceYen ?? -1;
          expect(sessions.every((s) => ['CARRIED_OVER', 'PAYMENT_PENDING', 'PAID'].includes(s?.state ?? ''))).toBe(
            true,
          );
          expect(amounts).toBe(charged + balance);
          expect(balance).toBeGreaterThanOrEqual(0);
          expect(balance).toBeLessThan(50);
          expect(h.payments.chargeCalls.every((c) => c.amountYen >= 50)).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
