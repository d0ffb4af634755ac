import { describe, expect, it } from 'vitest';
import { errorCode, type Harness, harness, value } from './harness.js';

async function charging(h: Harness, cap?: { maxYen?: number; maxWh?: number }) {
  await h.addStation('st_1');
  await h.driverWithCard('drv_1');
  const { session } = value(
    await h.uc.startCharge({
      driverId: 'drv_1',
      stationId: 'st_1',
      startKey: 'k',
      ...(cap ? { exposureCap: cap } : {}),
    }),
  );
  value(await h.ackClose(session.id, 10_000));
  return session.id;
}

const reading = (sessionId: string | null, seq: number, registerWh: number, at: string) => ({
  stationId: 'st_1',
  sessionId,
  seq,
  at,
  registerWh,
  powerW: 3_000,
});

describe('meterReported', () => {
  it('publishes energy, cost and power at most once per interval and writes nothing', async () => {
    const h = harness({ livePublishIntervalMs: 5_000 });
    const id = await charging(h);
    const commits = h.sessions.commits;
    const published = h.live.updatesOf(id).length;
    const results = [];
    for (let i = 1; i <= 10; i += 1) {
      h.clock.advance(1_000);
      results.push(value(await h.uc.meterReported(reading(id, i, 10_000 + i * 100, h.clock.iso()))).published);
    }
    expect(results.filter(Boolean)).toHaveLength(2);
    expect(h.sessions.commits).toBe(commits);
    const live = h.live.updatesOf(id).slice(published);
    expect(live.map((s) => s.live?.energyWh)).toEqual([100, 600]);
    expect(live[1]?.live).toMatchObject({ seq: 6, registerWh: 10_600, powerW: 3_000, costYen: 33 });
  });

  it('ignores readings older than the newest one seen', async () => {
    const h = harness({ livePublishIntervalMs: 0 });
    const id = await charging(h);
    expect(value(await h.uc.meterReported(reading(id, 5, 10_500, h.clock.iso()))).published).toBe(true);
    expect(value(await h.uc.meterReported(reading(id, 4, 10_400, h.clock.iso()))).published).toBe(false);
  });

  it('stops the session with reason exposureCap when the cap is reached', async () => {
    const h = harness();
    const id = await charging(h, { maxYen: 111 });
    h.clock.advance(1_000);
    expect(value(await h.uc.meterReported(reading(id, 1, 11_000, h.clock.iso()))).stopped).toBe(false);
    expect(value(await h.uc.meterReported(reading(id, 2, 12_000, h.clock.iso()))).stopped).toBe(true);
    expect(await h.sessions.get(id)).toMatchObject({ state: 'STOPPING', stopReason: 'exposureCap' });
    expect(h.lastCommand(id, 'open').action).toBe('open');
    expect(value(await h.uc.meterReported(reading(id, 3, 12_100, h.clock.iso())))).toEqual({
      published: false,
      stopped: false,
    });
  });

  it('ignores idle reports, unknown sessions and sessions not charging; refuses another station', async () => {
    const h = harness();
    const id = await charging(h);
    expect(value(await h.uc.meterReported(reading(null, 1, 0, h.clock.iso())))).toEqual({
      published: false,
      stopped: false,
    });
    expect(value(await h.uc.meterReported(reading('nope', 1, 0, h.clock.iso()))).published).toBe(false);
    expect(errorCode(await h.uc.meterReported({ ...reading(id, 1, 0, h.clock.iso()), stationId: 'st_9' }))).toBe(
      'SESSION.WRONG_STATION',
    );
    value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: id }));
    h.clock.advance(10_000);
    expect(value(await h.uc.meterReported(reading(id, 9, 10_900, h.clock.iso()))).published).toBe(false);
  });
});

describe('sweepStale', () => {
  it('fails ENERGIZING sessions past the ack timeout or on an offline station, freeing the stations', async () => {
    const h = harness({ ackTimeoutMs: 45_000 });
    await h.addStation('st_1');
    await h.addStation('st_2');
    await h.driverWithCard('drv_1');
    const a = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'a' })).session;
    h.clock.advance(40_000);
    const b = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_2', startKey: 'b' })).session;
    await h.stations.updatePresence('st_2', { online: false }, h.clock.iso());
    h.clock.advance(5_000);
    const report = value(await h.uc.sweepStale());
    expect(report.failedToStart.sort()).toEqual([a.id, b.id].sort());
    expect((await h.sessions.get(a.id))?.failureCode).toBe('ACK_TIMEOUT');
    expect((await h.sessions.get(b.id))?.failureCode).toBe('STATION_OFFLINE');
    expect((await h.stations.list()).every((s) => s.activeSessionId === undefined)).toBe(true);
  });

  it('re-sends the same open command for a STOPPING session with a fresh expiry', async () => {
    const h = harness({ stopResendAfterMs: 30_000 });
    const id = await charging(h);
    value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: id }));
    const first = h.lastCommand(id, 'open');
    h.clock.advance(29_000);
    expect(value(await h.uc.sweepStale()).resentOpen).toEqual([]);
    h.clock.advance(1_000);
    expect(value(await h.uc.sweepStale()).resentOpen).toEqual([id]);
    const again = h.lastCommand(id, 'open');
    expect(again.cmdId).toBe(first.cmdId);
    expect(Date.parse(again.expiresAt)).toBeGreaterThan(Date.parse(first.expiresAt));
  });

  it('cancels sessions whose Checkout was never finished', async () => {
    const h = harness({ checkoutTimeoutMs: 60_000 });
    await h.addStation('st_1');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' }));
    h.clock.advance(60_000);
    expect(value(await h.uc.sweepStale()).cancelled).toEqual([session.id]);
    expect((await h.sessions.get(session.id))?.failureCode).toBe('CHECKOUT_TIMEOUT');
    expect((await h.stations.get('st_1'))?.activeSessionId).toBeUndefined();
  });

  it('re-drives a METERED session whose billing crashed, and reconciles a lost payment-succeeded event', async () => {
    const h = harness({ paymentRedriveAfterMs: 60_000 });
    const id = await charging(h);
    value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: id }));
    h.payments.failNext('chargeOffSession');
    expect(value(await h.ackOpen(id, 12_000)).session?.state).toBe('PAYMENT_PENDING');
    expect(h.logger.at('error').map((r) => r.msg)).toContain(
      'billing after metering failed; the sweeper will re-drive it',
    );
    h.clock.advance(60_000);
    expect(value(await h.uc.sweepStale()).redrivenCharges).toEqual([id]);
    h.clock.advance(60_000);
    expect(value(await h.uc.sweepStale()).reconciled).toEqual([id]);
    expect((await h.sessions.get(id))?.state).toBe('PAID');
    expect(h.payments.succeededIntents(id)).toHaveLength(1);
  });

  it.each([
    ['requires_action', 'PAYMENT_ACTION_REQUIRED'],
    ['requires_payment_method', 'PAYMENT_FAILED'],
    ['canceled', 'PAYMENT_FAILED'],
  ] as const)('reconciles an intent the processor reports as %s into %s', async (status, state) => {
    const h = harness({ paymentRedriveAfterMs: 0 });
    const id = await charging(h);
    h.payments.scriptCharges('processing');
    value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: id }));
    const pi = value(await h.ackOpen(id, 12_000)).session?.paymentIntentId ?? '';
    expect(value(await h.uc.sweepStale()).reconciled).toEqual([]);
    h.payments.setIntentStatus(pi, status);
    expect(value(await h.uc.sweepStale()).reconciled).toEqual([id]);
    expect(await h.sessions.get(id)).toMatchObject({ state });
    expect((await h.drivers.get('drv_1'))?.blocked).toBe(true);
  });

  it('frees a station bound to a finished or missing session, but not one of a start in flight', async () => {
    const h = harness({ ackTimeoutMs: 45_000 });
    await h.addStation('st_orphan', { activeSessionId: 'ses_gone' });
    await h.addStation('st_fresh');
    await h.stations.claim('st_fresh', 'ses_starting', '2026-03-01T09:00:40.000Z');
    h.clock.advance(50_000);
    const report = value(await h.uc.sweepStale());
    expect(report.releasedStations).toEqual(['st_orphan']);
    expect((await h.stations.get('st_fresh'))?.activeSessionId).toBe('ses_starting');
  });

  it('reports a failing item and carries on with the rest', async () => {
    const h = harness({ paymentRedriveAfterMs: 0 });
    const id = await charging(h);
    value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: id }));
    h.payments.scriptCharges('processing');
    const pi = value(await h.ackOpen(id, 12_000)).session?.paymentIntentId ?? '';
    expect(pi).toMatch(/^pi_/);
    h.payments.failNext('retrievePaymentIntent');
    const report = value(await h.uc.sweepStale());
    expect(report.errors).toEqual([
      { sessionId: id, error: 'Error: payment provider unavailable (retrievePaymentIntent)' },
    ]);
  });
});
