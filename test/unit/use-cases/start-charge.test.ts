import { describe, expect, it } from 'vitest';
import { newDriver } from '../../../functions/src/domain/driver-effects.js';
import { errorCode, harness, T0, value } from './harness.js';

describe('startCharge', () => {
  it('with a card on file energizes at once and sends a short-lived close command with limits', async () => {
    const h = harness({ defaultExposureCap: { maxYen: 111 }, offlineMaxWh: 5_000, offlineMaxSec: 1_800 });
    await h.addStation('st_1');
    await h.driverWithCard('drv_1');
    const out = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k1' }));
    expect(out.checkoutUrl).toBeUndefined();
    expect(out.session).toMatchObject({
      state: 'ENERGIZING',
      driverId: 'drv_1',
      stationId: 'st_1',
      paymentMethodId: 'pm_drv_1',
    });
    const cmd = h.lastCommand(out.session.id, 'close');
    expect(cmd).toEqual({
      cmdId: out.session.startCmdId,
      sessionId: out.session.id,
      action: 'close',
      issuedAt: T0,
      expiresAt: '2026-03-01T09:00:30.000Z',
      limits: { maxWh: 2_000, offlineMaxWh: 5_000, offlineMaxSec: 1_800 },
    });
    expect((await h.stations.get('st_1'))?.activeSessionId).toBe(out.session.id);
    // Nobody can be subscribed to a session whose id this answer is the first to tell: not published.
    expect(h.live.updatesOf(out.session.id)).toEqual([]);
    expect(h.live.stations.at(-1)?.activeSessionId).toBe(out.session.id);
  });

  it('without a card opens a setup Checkout and waits in AWAITING_PAYMENT_METHOD', async () => {
    const h = harness();
    await h.addStation('st_1');
    const out = value(
      await h.uc.startCharge({ driverId: 'drv_new', stationId: 'st_1', startKey: 'k1', email: 'a@b.jp' }),
    );
    expect(out.session.state).toBe('AWAITING_PAYMENT_METHOD');
    expect(out.checkoutUrl).toBe(out.session.checkoutUrl);
    const checkout = h.payments.checkouts.get(out.session.checkoutSessionId ?? '');
    expect(checkout).toMatchObject({ mode: 'setup', sessionId: out.session.id, status: 'open' });
    expect(h.breaker.sent).toEqual([]);
    // The driver row and the processor customer are created lazily (the sign-up trigger may have failed).
    const driver = await h.drivers.get('drv_new');
    expect(driver).toMatchObject({
      email: 'a@b.jp',
      balanceYen: 0,
      blocked: false,
      stripeCustomerId: checkout?.customerId,
    });
  });

  it('returns the same session for the same key, without a second command', async () => {
    const h = harness();
    await h.addStation('st_1');
    await h.driverWithCard('drv_1');
    const first = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k1' }));
    const again = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k1' }));
    expect(again.session).toEqual(first.session);
    expect(h.breaker.sent).toHaveLength(1);
    expect(first.session.id).toBe(h.ids.fromParts('ses', 'drv_1', 'k1'));
  });

  it('refuses the same key for another station instead of replaying the first session', async () => {
    const h = harness();
    await h.addStation('st_1');
    await h.addStation('st_2');
    await h.driverWithCard('drv_1');
    value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k1' }));
    const other = await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_2', startKey: 'k1' });
    expect(errorCode(other)).toBe('VALIDATION');
    expect(h.sessions.all()).toHaveLength(1);
    expect(h.breaker.sent).toHaveLength(1);
  });

  it('lets exactly one of two racing drivers claim a station', async () => {
    const h = harness();
    await h.addStation('st_1');
    await h.driverWithCard('drv_a');
    await h.driverWithCard('drv_b');
    const [a, b] = await Promise.all([
      h.uc.startCharge({ driverId: 'drv_a', stationId: 'st_1', startKey: 'x' }),
      h.uc.startCharge({ driverId: 'drv_b', stationId: 'st_1', startKey: 'y' }),
    ]);
    expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
    expect(errorCode(a.ok ? b : a)).toBe('STATION.BUSY');
    expect(h.sessions.all()).toHaveLength(1);
    expect(h.breaker.sent).toHaveLength(1);
  });

  it('turns a repeated concurrent start with one key into one session and one command', async () => {
    const h = harness();
    await h.addStation('st_1');
    await h.driverWithCard('drv_1');
    const results = await Promise.all(
      [1, 2, 3].map(() => h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'same' })),
    );
    expect(new Set(results.map((r) => value(r).session.id)).size).toBe(1);
    expect(h.breaker.sent).toHaveLength(1);
  });

  it('refuses a blocked driver with PAYMENT.REQUIRED naming the unpaid session', async () => {
    const h = harness();
    await h.addStation('st_1');
    h.drivers.put({ ...newDriver('drv_1', T0), blocked: true, blockedBySessionId: 'ses_old' });
    const r = await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' });
    expect(errorCode(r)).toBe('PAYMENT.REQUIRED');
    expect(!r.ok && r.error.details.sessionId).toBe('ses_old');
    expect((await h.stations.get('st_1'))?.activeSessionId).toBeUndefined();
  });

  it('refuses unknown, offline, faulted and busy stations', async () => {
    const h = harness();
    await h.driverWithCard('drv_1');
    await h.addStation('off', { online: false });
    await h.addStation('bad', { fault: 'breakerWelded' });
    await h.addStation('busy', { activeSessionId: 'ses_other' });
    const start = (stationId: string) => h.uc.startCharge({ driverId: 'drv_1', stationId, startKey: stationId });
    expect(errorCode(await start('nope'))).toBe('STATION.NOT_FOUND');
    expect(errorCode(await start('off'))).toBe('STATION.OFFLINE');
    expect(errorCode(await start('bad'))).toBe('STATION.OFFLINE');
    expect(errorCode(await start('busy'))).toBe('STATION.BUSY');
    expect(h.sessions.all()).toEqual([]);
  });

  it('validates its input', async () => {
    const h = harness();
    const bad = [
      { driverId: '', stationId: 's', startKey: 'k' },
      { driverId: 'd', stationId: '', startKey: 'k' },
      { driverId: 'd', stationId: 's', startKey: '' },
      { driverId: 'd', stationId: 's', startKey: 'k'.repeat(129) },
      { driverId: 'd', stationId: 's', startKey: 'k', exposureCap: { maxYen: 0 } },
      { driverId: 'd', stationId: 's', startKey: 'k', exposureCap: { maxWh: 1.5 } },
    ];
    for (const input of bad) expect(errorCode(await h.uc.startCharge(input))).toBe('VALIDATION');
  });

  it('fails the start at once, frees the station and charges nothing when the close command cannot be sent', async () => {
    const h = harness();
    await h.addStation('st_1');
    await h.driverWithCard('drv_1');
    h.breaker.failNext();
    const out = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' }));
    expect(out.session).toMatchObject({ state: 'FAILED_TO_START', failureCode: 'COMMAND_NOT_SENT' });
    expect((await h.stations.get('st_1'))?.activeSessionId).toBeUndefined();
    expect(h.payments.chargeCalls).toEqual([]);
  });

  it('frees the station and rethrows when Checkout cannot be created', async () => {
    const h = harness();
    await h.addStation('st_1');
    h.payments.failNext('createSetupCheckout');
    await expect(h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' })).rejects.toThrow(
      /unavailable/,
    );
    expect((await h.stations.get('st_1'))?.activeSessionId).toBeUndefined();
    expect(h.sessions.all()).toEqual([]);
  });

  it('keeps going when the live publish fails', async () => {
    const h = harness();
    await h.addStation('st_1');
    await h.driverWithCard('drv_1');
    h.live.failNext(5);
    const out = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' }));
    expect(out.session.state).toBe('ENERGIZING');
    expect(h.logger.at('warn').map((r) => r.msg)).toContain('station publish failed');
  });
});
