import { describe, expect, it } from 'vitest';
import { MemoryRedriveTries } from '../../../functions/src/adapters/memory/memory-redrive-tries.js';
import { makeSweepStale } from '../../../functions/src/use-cases/sweep-stale.js';
import { type Harness, harness, value } from './harness.js';

const PACE = {
  startResendAfterMs: 10_000,
  ackTimeoutMs: 45_000,
  stopResendAfterMs: 30_000,
  paymentRedriveAfterMs: 60_000,
  redriveEscalateAfter: 3,
  escalatedRedriveSlowdown: 10,
};

async function started(h: Harness, stationId = 'st_1', key = 'k') {
  await h.addStation(stationId);
  await h.driverWithCard('drv_1');
  return value(await h.uc.startCharge({ driverId: 'drv_1', stationId, startKey: key })).session.id;
}

async function stopping(h: Harness) {
  const id = await started(h);
  value(await h.ackClose(id, 10_000));
  value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: id }));
  return id;
}

/** A session whose charge the processor leaves `processing` (its payment-succeeded event never comes). */
async function pendingPayment(h: Harness) {
  const id = await stopping(h);
  h.payments.scriptCharges('processing');
  const pi = value(await h.ackOpen(id, 12_000)).session?.paymentIntentId;
  if (!pi) throw new Error('no PaymentIntent');
  return { id, pi };
}

const sweep = async (h: Harness) => value(await h.uc.sweepStale());

describe('sweepStale re-drive (watchdog)', () => {
  it('re-sends the same close command before the ack timeout, expiring no later than it, then gives up', async () => {
    const h = harness(PACE);
    const id = await started(h);
    const first = h.lastCommand(id, 'close');
    h.clock.advance(9_000);
    expect((await sweep(h)).resentClose).toEqual([]);
    h.clock.advance(1_000);
    expect((await sweep(h)).resentClose).toEqual([id]);
    const again = h.lastCommand(id, 'close');
    expect(again.cmdId).toBe(first.cmdId);
    expect(again.limits).toEqual(first.limits);
    expect(Date.parse(again.expiresAt)).toBeGreaterThan(Date.parse(first.expiresAt));
    h.clock.advance(30_000); // 40 s in: the fresh expiry is cut to the ack deadline (45 s)
    expect((await sweep(h)).resentClose).toEqual([id]);
    const last = h.lastCommand(id, 'close');
    expect(last.expiresAt).toBe('2026-03-01T09:00:45.000Z');
    h.clock.advance(5_000);
    expect((await sweep(h)).failedToStart).toEqual([id]);
    expect(h.breaker.commandsFor(id).filter((c) => c.action === 'close')).toHaveLength(3);
  });

  it('counts a re-send that could not be sent as a try, logs it, and sends on the next one', async () => {
    const h = harness(PACE);
    const id = await started(h);
    h.clock.advance(10_000);
    h.breaker.failNext();
    expect((await sweep(h)).resentClose).toEqual([]);
    expect(h.logger.at('error').map((r) => r.msg)).toContain('breaker command not sent');
    h.clock.advance(10_000);
    expect((await sweep(h)).resentClose).toEqual([id]);
  });

  it('takes at most one try per delay, however often the sweeper runs', async () => {
    const h = harness(PACE);
    const id = await stopping(h);
    h.clock.advance(30_000);
    expect((await sweep(h)).resentOpen).toEqual([id]);
    for (let i = 0; i < 26; i++) {
      h.clock.advance(1_000);
      expect((await sweep(h)).resentOpen).toEqual([]);
    }
    h.clock.advance(1_000); // 27 s: the delay less 10% for a scheduled run that starts early
    expect((await sweep(h)).resentOpen).toEqual([id]);
    expect(
      new Set(
        h.breaker
          .commandsFor(id)
          .filter((c) => c.action === 'open')
          .map((c) => c.cmdId),
      ).size,
    ).toBe(1);
  });

  it('alerts STUCK_STOPPING exactly once after N tries, with the evidence, and keeps re-sending more slowly', async () => {
    const h = harness(PACE);
    const id = await stopping(h);
    const { stopCmdId } = (await h.sessions.get(id)) ?? {};
    const escalated: string[][] = [];
    for (let i = 0; i < 3; i++) {
      h.clock.advance(30_000);
      escalated.push((await sweep(h)).escalated);
    }
    expect(escalated).toEqual([[], [], [id]]);
    const alerts = h.alerts.withCode('STUCK_STOPPING');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ sessionId: id, stationId: 'st_1' });
    expect(alerts[0]?.detail).toContain('3 tries since 2026-03-01T09:00:30.000Z');
    expect(alerts[0]?.detail).toContain(`open command ${stopCmdId}`);
    expect(alerts[0]?.detail).toContain('every 300 s');
    // Slower now (300 s, less 10% for schedule jitter): nothing for 269 s, then one more try — and
    // still no second alert.
    h.clock.advance(269_000);
    expect((await sweep(h)).resentOpen).toEqual([]);
    h.clock.advance(1_000);
    const later = await sweep(h);
    expect(later.resentOpen).toEqual([id]);
    expect(later.escalated).toEqual([]);
    expect(h.alerts.withCode('STUCK_STOPPING')).toHaveLength(1);
    // The station answers at last: the session is billed once (it waits for the payment event), nothing refunded.
    value(await h.ackOpen(id, 12_000));
    expect((await h.sessions.get(id))?.state).toBe('PAYMENT_PENDING');
    expect(h.payments.succeededIntents(id)).toHaveLength(1);
    expect(h.payments.refunds).toEqual([]);
  });

  it('keeps counting across a restart: a new sweeper on the same store escalates at the N-th try overall', async () => {
    const h = harness(PACE);
    const id = await stopping(h);
    const store = new MemoryRedriveTries(); // stands for the table both processes share
    const before = makeSweepStale({ ...h.deps, redriveTries: store });
    for (let i = 0; i < 2; i++) {
      h.clock.advance(30_000);
      expect(value(await before()).escalated).toEqual([]);
    }
    const after = makeSweepStale({ ...h.deps, redriveTries: store }); // the restarted process
    h.clock.advance(30_000);
    expect(value(await after()).escalated).toEqual([id]);
    expect(h.alerts.withCode('STUCK_STOPPING')).toHaveLength(1);
  });

  it('lets only one of two concurrent sweepers take each try, and raises one alert', async () => {
    const h = harness(PACE);
    const id = await stopping(h);
    const store = new MemoryRedriveTries();
    const a = makeSweepStale({ ...h.deps, redriveTries: store });
    const b = makeSweepStale({ ...h.deps, redriveTries: store });
    const opensBefore = h.breaker.commandsFor(id).length;
    let escalations = 0;
    for (let i = 0; i < 3; i++) {
      h.clock.advance(30_000);
      const [ra, rb] = await Promise.all([a(), b()]);
      const resent = [...value(ra).resentOpen, ...value(rb).resentOpen];
      expect(resent).toEqual([id]);
      escalations += value(ra).escalated.length + value(rb).escalated.length;
    }
    expect(h.breaker.commandsFor(id).length - opensBefore).toBe(3);
    expect(escalations).toBe(1);
    expect(h.alerts.withCode('STUCK_STOPPING')).toHaveLength(1);
  });

  it('re-reads the PaymentIntent each try, alerts STUCK_PAYMENT_PENDING, and settles when the processor does', async () => {
    const h = harness(PACE);
    const { id, pi } = await pendingPayment(h);
    for (let i = 0; i < 3; i++) {
      h.clock.advance(60_000);
      expect((await sweep(h)).reconciled).toEqual([]);
    }
    const [alert] = h.alerts.withCode('STUCK_PAYMENT_PENDING');
    expect(alert?.detail).toContain(`PaymentIntent ${pi}`);
    expect(alert?.detail).toContain(`idempotency key charge:${id}:1`);
    h.payments.setIntentStatus(pi, 'succeeded');
    h.clock.advance(600_000);
    expect((await sweep(h)).reconciled).toEqual([id]);
    expect((await h.sessions.get(id))?.state).toBe('PAID');
    expect(h.payments.succeededIntents(id)).toHaveLength(1);
    expect(h.payments.refunds).toEqual([]);
  });

  it('re-drives billing with the persisted idempotency key on every try, and alerts when it keeps failing', async () => {
    const h = harness(PACE);
    const id = await stopping(h);
    h.payments.failNext('chargeOffSession', 4);
    expect(value(await h.ackOpen(id, 12_000)).session?.state).toBe('PAYMENT_PENDING');
    const errors: number[] = [];
    for (let i = 0; i < 3; i++) {
      h.clock.advance(60_000);
      const r = await sweep(h);
      errors.push(r.errors.length);
    }
    expect(errors).toEqual([1, 1, 1]);
    expect(h.alerts.withCode('STUCK_PAYMENT_PENDING')).toHaveLength(1);
    h.clock.advance(600_000);
    expect((await sweep(h)).redrivenCharges).toEqual([id]);
    expect(new Set(h.payments.chargeCalls.map((c) => c.idempotencyKey))).toEqual(new Set([`charge:${id}:1`]));
    expect(h.payments.succeededIntents(id)).toHaveLength(1);
  });

  it('does not alert about a step that the try itself moved on', async () => {
    const h = harness({ ...PACE, redriveEscalateAfter: 1 });
    const { id, pi } = await pendingPayment(h);
    h.payments.setIntentStatus(pi, 'succeeded');
    h.clock.advance(60_000);
    const r = await sweep(h);
    expect(r.reconciled).toEqual([id]);
    expect(r.escalated).toEqual([]);
    expect(h.alerts.raised).toEqual([]);
  });

  it('raises the alert on a later try when raising it failed', async () => {
    const h = harness({ ...PACE, redriveEscalateAfter: 1 });
    const id = await stopping(h);
    const raise = h.alerts.raise.bind(h.alerts);
    let failures = 1;
    h.alerts.raise = async (alert) => {
      if (failures-- > 0) throw new Error('alert sink down');
      return raise(alert);
    };
    h.clock.advance(30_000);
    const first = await sweep(h);
    expect(first.errors).toEqual([{ sessionId: id, error: 'Error: alert sink down' }]);
    expect(first.resentOpen).toEqual([id]);
    h.clock.advance(300_000);
    expect((await sweep(h)).escalated).toEqual([id]);
    expect(h.alerts.withCode('STUCK_STOPPING')).toHaveLength(1);
  });
});
