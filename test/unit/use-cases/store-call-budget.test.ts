/**
 * Store calls are the throughput limit (FACTS.md: DynamoDB Local on disk ~500 writes/s), so the number
 * each step of a session costs is a budget, held here on the in-memory fakes: nothing read twice,
 * no driver write (let alone a transaction) where the driver does not change.
 */
import { describe, expect, it, vi } from 'vitest';
import { harness, value } from './harness.js';

function countCalls(h: ReturnType<typeof harness>) {
  const counted = {
    'sessions.get': vi.spyOn(h.sessions, 'get'),
    'sessions.create': vi.spyOn(h.sessions, 'create'),
    'sessions.commit': vi.spyOn(h.sessions, 'commit'),
    'drivers.get': vi.spyOn(h.drivers, 'get'),
    'drivers.update': vi.spyOn(h.drivers, 'update'),
    'stations.get': vi.spyOn(h.stations, 'get'),
    'stations.claim': vi.spyOn(h.stations, 'claim'),
    'stations.release': vi.spyOn(h.stations, 'release'),
    'processedEvents.has': vi.spyOn(h.processedEvents, 'has'),
    'processedEvents.markOnce': vi.spyOn(h.processedEvents, 'markOnce'),
  };
  return {
    /** For each commit since the last take: whether it carried a driver change (a transaction). */
    driverWrites(): boolean[] {
      return counted['sessions.commit'].mock.calls.map(([change]) => change.driver !== undefined);
    },
    /** The calls made since the last take, by name (zero counts left out). */
    take(): Record<string, number> {
      const out: Record<string, number> = {};
      for (const [name, spy] of Object.entries(counted)) {
        if (spy.mock.calls.length > 0) out[name] = spy.mock.calls.length;
        spy.mockClear();
      }
      return out;
    },
  };
}

describe('the store-call budget of one session (card on file)', () => {
  it('reads nothing twice from start to paid, and writes the driver only when it changes', async () => {
    const h = harness();
    await h.addStation('TKY-001');
    await h.driverWithCard('drv-1');
    h.payments.scriptCharges('processing');
    const calls = countCalls(h);

    const { session } = value(await h.uc.startCharge({ driverId: 'drv-1', stationId: 'TKY-001', startKey: 'k1' }));
    // Three independent reads (the adapter folds them into one call), the claim and the create; the
    // station is published from what was read and claimed, not read again.
    expect(calls.take()).toEqual({
      'sessions.get': 1,
      'drivers.get': 1,
      'stations.get': 1,
      'stations.claim': 1,
      'sessions.create': 1,
    });

    // The close ack commits against the session this process just created (its memo): no read back.
    value(await h.ackClose(session.id, 10_000));
    expect(calls.take()).toEqual({ 'sessions.commit': 1 });

    value(await h.uc.stopCharge({ driverId: 'drv-1', sessionId: session.id }));
    expect(calls.take()).toEqual({ 'sessions.commit': 1 });

    const pending = value(await h.ackOpen(session.id, 12_000)).session;
    expect(pending?.state).toBe('PAYMENT_PENDING');
    expect(calls.driverWrites()).toEqual([false, false, false]);
    // METERED (from the memo, like every step below), the station freed (the release returns it for the publish), billing decided with the driver's
    // balance (¥0 carried: the session commits alone), the PaymentIntent id stored after the call.
    expect(calls.take()).toEqual({
      'sessions.commit': 3,
      'stations.release': 1,
      'drivers.get': 1,
    });

    const paid = await h.uc.paymentEventDedupedByCaller({
      type: 'payment.succeeded',
      eventId: h.eventId(),
      paymentIntentId: pending?.paymentIntentId ?? '',
      amountYen: pending?.chargeYen ?? 0,
      sessionId: session.id,
    });
    expect(value(paid).session?.state).toBe('PAID');
    // A session that was never refused cannot have blocked its driver: PAID does not read the driver.
    expect(calls.take()).toEqual({ 'sessions.get': 1, 'sessions.commit': 1 });
  });

  it('still moves the carried balance with the session in one atomic commit', async () => {
    const h = harness();
    await h.addStation('TKY-001');
    await h.driverWithCard('drv-1');
    const d = await h.drivers.get('drv-1');
    if (!d) throw new Error('no driver');
    h.drivers.put({ ...d, balanceYen: 30, version: d.version + 1 });
    h.payments.scriptCharges('processing');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv-1', stationId: 'TKY-001', startKey: 'k1' }));
    value(await h.ackClose(session.id, 10_000));
    value(await h.uc.stopCharge({ driverId: 'drv-1', sessionId: session.id }));
    const calls = countCalls(h);
    const pending = value(await h.ackOpen(session.id, 12_000)).session;
    expect(calls.driverWrites()).toEqual([false, true, false]);
    expect(pending).toMatchObject({ state: 'PAYMENT_PENDING', carriedInYen: 30 });
    expect((await h.drivers.get('drv-1'))?.balanceYen).toBe(0);
  });
});
