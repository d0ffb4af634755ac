import { describe, expect, it } from 'vitest';
import { errorCode, type Harness, harness, value } from './harness.js';

async function firstStart(h: Harness) {
  await h.addStation('st_1');
  const out = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k1' }));
  const cs = out.session.checkoutSessionId ?? '';
  h.payments.completeCheckout(cs);
  return { session: out.session, checkoutSessionId: cs };
}

async function charging(h: Harness) {
  await h.addStation('st_1');
  await h.driverWithCard('drv_1');
  const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k1' }));
  h.clock.advance(1_000);
  value(await h.ackClose(session.id, 10_000));
  return session.id;
}

describe('the journey: first start through Checkout to PAID', () => {
  it('saves the card, energizes, meters stop − start register, charges once and is PAID on the webhook', async () => {
    const h = harness();
    const { session, checkoutSessionId } = await firstStart(h);
    const completed = {
      type: 'checkout.completed' as const,
      eventId: h.eventId(),
      checkoutSessionId,
      mode: 'setup' as const,
      sessionId: session.id,
    };
    expect(value(await h.uc.paymentEvent(completed)).session?.state).toBe('ENERGIZING');
    const driver = await h.drivers.get('drv_1');
    expect(driver?.defaultPaymentMethodId).toMatch(/^pm_/);
    expect(h.payments.defaults.get(driver?.stripeCustomerId ?? '')).toBe(driver?.defaultPaymentMethodId);

    h.clock.advance(2_000);
    expect(value(await h.ackClose(session.id, 10_000)).session?.state).toBe('CHARGING');
    h.clock.advance(30 * 60_000);
    expect(value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: session.id })).state).toBe('STOPPING');
    const paid = value(await h.ackOpen(session.id, 12_000)).session;
    expect(paid).toMatchObject({ state: 'PAYMENT_PENDING', energyWh: 2_000, amountYen: 111, chargeYen: 111 });
    expect(paid?.paymentIntentId).toMatch(/^pi_/);
    expect((await h.stations.get('st_1'))?.activeSessionId).toBeUndefined();
    expect(h.payments.chargeCalls).toEqual([
      {
        customerId: driver?.stripeCustomerId,
        paymentMethodId: driver?.defaultPaymentMethodId,
        amountYen: 111,
        sessionId: session.id,
        attempt: 1,
        idempotencyKey: `charge:${session.id}:1`,
      },
    ]);

    const succeeded = {
      type: 'payment.succeeded' as const,
      eventId: h.eventId(),
      paymentIntentId: paid?.paymentIntentId ?? '',
      amountYen: 111,
      sessionId: session.id,
    };
    const done = value(await h.uc.paymentEvent(succeeded)).session;
    expect(done).toMatchObject({ state: 'PAID', paidAt: h.clock.iso(), cardLast4: '4242' });
    expect(value(await h.uc.paymentEvent(succeeded)).outcome).toBe('duplicate');

    const ledger = await h.sessions.ledger(session.id);
    expect(ledger.map((e) => [e.from, e.to, e.cause])).toEqual([
      [null, 'AWAITING_PAYMENT_METHOD', 'StartRequestedNeedsCard'],
      ['AWAITING_PAYMENT_METHOD', 'ENERGIZING', 'CheckoutCompleted'],
      ['ENERGIZING', 'CHARGING', 'BreakerClosed'],
      ['CHARGING', 'STOPPING', 'StopRequested'],
      ['STOPPING', 'METERED', 'BreakerOpened'],
      ['METERED', 'PAYMENT_PENDING', 'BillingDecided'],
      ['PAYMENT_PENDING', 'PAYMENT_PENDING', 'ChargeSubmitted'],
      ['PAYMENT_PENDING', 'PAID', 'PaymentSucceeded'],
    ]);
    expect(ledger.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ledger[2]?.evidence).toMatchObject({ registerWh: 10_000, cmdId: h.lastCommand(session.id, 'close').cmdId });
    expect(ledger[4]?.evidence).toMatchObject({ registerWh: 12_000, energyWh: 2_000, amountYen: 111 });
    expect(ledger[7]?.evidence).toMatchObject({
      stripeObjectId: paid?.paymentIntentId,
      stripeEventId: succeeded.eventId,
    });
  });

  it('treats a repeated checkout completion as a no-op that energizes once', async () => {
    const h = harness();
    const { session, checkoutSessionId } = await firstStart(h);
    const event = {
      type: 'checkout.completed' as const,
      checkoutSessionId,
      mode: 'setup' as const,
      sessionId: session.id,
    };
    await h.uc.checkoutCompleted({ ...event, eventId: 'e1' });
    expect(value(await h.uc.checkoutCompleted({ ...event, eventId: 'e2' })).outcome).toBe('noop');
    expect(h.breaker.commandsFor(session.id)).toHaveLength(1);
  });

  it('answers a checkout completion for no known session as unmatched', async () => {
    const h = harness();
    const r = await h.uc.checkoutCompleted({
      type: 'checkout.completed',
      eventId: 'e',
      checkoutSessionId: 'cs',
      mode: 'setup',
    });
    expect(value(r).outcome).toBe('unmatched');
  });

  it('cancels the session and frees the station when the setup Checkout expires', async () => {
    const h = harness();
    await h.addStation('st_1');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' }));
    const expired = value(
      await h.uc.paymentEvent({
        type: 'checkout.expired',
        eventId: 'e',
        checkoutSessionId: session.checkoutSessionId ?? '',
        mode: 'setup',
        sessionId: session.id,
      }),
    );
    expect(expired.session?.state).toBe('CANCELLED');
    expect((await h.stations.get('st_1'))?.activeSessionId).toBeUndefined();
    const late = { type: 'checkout.expired' as const, eventId: 'e2', checkoutSessionId: 'cs', mode: 'setup' as const };
    expect(value(await h.uc.checkoutExpired(late)).outcome).toBe('unmatched');
    expect(value(await h.uc.checkoutExpired({ ...late, mode: 'payment' })).outcome).toBe('ignored');
  });
});

describe('breakerAcked', () => {
  it('fails the start and frees the station when the station refuses to close; nothing is charged', async () => {
    const h = harness();
    await h.addStation('st_1');
    await h.driverWithCard('drv_1');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' }));
    const r = value(await h.ackClose(session.id, 0, false));
    expect(r.session).toMatchObject({ state: 'FAILED_TO_START', failureCode: 'BREAKER_REFUSED' });
    expect((await h.stations.get('st_1'))?.activeSessionId).toBeUndefined();
    expect(h.payments.chargeCalls).toEqual([]);
  });

  it('opens a breaker that closed after the session had already failed to start, and alerts', async () => {
    const h = harness();
    await h.addStation('st_1');
    await h.driverWithCard('drv_1');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' }));
    h.clock.advance(60_000);
    expect(value(await h.uc.sweepStale()).failedToStart).toEqual([session.id]);
    expect(value(await h.ackClose(session.id, 500)).outcome).toBe('noop');
    expect(h.lastCommand(session.id, 'open').action).toBe('open');
    expect(h.alerts.withCode('BREAKER_CLOSED_FOR_INACTIVE_SESSION')).toHaveLength(1);
  });

  it('refuses an ack from another station and ignores one for an unknown session', async () => {
    const h = harness();
    const id = await charging(h);
    const ack = {
      stationId: 'st_other',
      cmdId: 'c',
      sessionId: id,
      action: 'open' as const,
      ok: true,
      breaker: 'open' as const,
      registerWh: 1,
      at: h.clock.iso(),
    };
    expect(errorCode(await h.uc.breakerAcked(ack))).toBe('SESSION.WRONG_STATION');
    expect(value(await h.uc.breakerAcked({ ...ack, sessionId: 'nope' })).outcome).toBe('unmatched');
  });

  it('alerts when the station refuses to open, and the session stays STOPPING', async () => {
    const h = harness();
    const id = await charging(h);
    value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: id }));
    const cmd = h.lastCommand(id, 'open');
    const r = value(
      await h.uc.breakerAcked({
        stationId: 'st_1',
        cmdId: cmd.cmdId,
        sessionId: id,
        action: 'open',
        ok: false,
        reason: 'welded',
        breaker: 'closed',
        registerWh: 11_000,
        at: h.clock.iso(),
      }),
    );
    expect(r.outcome).toBe('alerted');
    expect((await h.sessions.get(id))?.state).toBe('STOPPING');
    expect(h.alerts.withCode('BREAKER_OPEN_REFUSED')[0]?.detail).toMatch(/welded/);
  });

  it('returns the typed error for an ack that does not fit the session', async () => {
    const h = harness();
    const id = await charging(h);
    const r = await h.uc.breakerAcked({
      stationId: 'st_1',
      cmdId: 'cmd_x',
      sessionId: id,
      action: 'open',
      ok: true,
      breaker: 'open',
      registerWh: 1,
      at: h.clock.iso(),
    });
    expect(errorCode(r)).toBe('SESSION.ILLEGAL_TRANSITION');
  });
});

describe('breakerAcked: an open answered for a session the station had already ended', () => {
  // Per-minute tariff (¥1/min): charging from 09:00:01; the station's offline cap ended it at 09:10:01
  // with 13,000 Wh; the driver's queued open command reaches it when it is back, an hour later.
  const perMinute = { milliYenPerKwh: 49_000, sessionFeeYen: 0, milliYenPerMinute: 1_000 };
  const ended = { stopRegisterWh: 13_000, endedAt: '2026-03-01T09:10:01.000Z', reason: 'offlineCap' as const };
  async function stoppedWhileOffline() {
    const h = harness();
    await h.addStation('st_1', { tariff: perMinute });
    await h.driverWithCard('drv_1');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k1' }));
    h.clock.advance(1_000);
    value(await h.ackClose(session.id, 10_000));
    value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: session.id }));
    h.clock.advance(3_600_000);
    const cmd = h.lastCommand(session.id, 'open');
    const ack = {
      stationId: 'st_1',
      cmdId: cmd.cmdId,
      sessionId: session.id,
      action: 'open' as const,
      ok: true,
      reason: 'sessionEnded',
      breaker: 'open' as const,
      registerWh: 13_000,
      at: h.clock.iso(),
    };
    const sessionEnd = () =>
      h.uc.sessionEndedByStation({
        stationId: 'st_1',
        sessionId: session.id,
        startRegisterWh: 10_000,
        startedAt: '2026-03-01T09:00:01.000Z',
        ...ended,
      });
    return { h, id: session.id, ack, sessionEnd };
  }

  it('bills the end the ack carries (3 kWh + 10 min), not the hour it waited; the later session_end is a no-op', async () => {
    const { h, id, ack, sessionEnd } = await stoppedWhileOffline();
    const r = value(await h.uc.breakerAcked({ ...ack, ended }));
    expect(r.session).toMatchObject({
      state: 'PAYMENT_PENDING',
      endedAt: ended.endedAt,
      energyWh: 3_000,
      amountYen: 147 + 10,
    });
    expect(value(await sessionEnd()).outcome).toBe('noop');
    expect((await h.sessions.ledger(id)).filter((e) => e.to === 'METERED')).toEqual([
      expect.objectContaining({
        cause: 'BreakerOpened',
        evidence: expect.objectContaining({ stationReason: 'offlineCap' }),
      }),
    ]);
  });

  it('waits for the session_end when the ack says the session ended but not how', async () => {
    const { h, id, ack, sessionEnd } = await stoppedWhileOffline();
    expect(value(await h.uc.breakerAcked(ack)).outcome).toBe('noop');
    expect((await h.sessions.get(id))?.state).toBe('STOPPING');
    const r = value(await sessionEnd());
    expect(r.session).toMatchObject({ state: 'PAYMENT_PENDING', endedAt: ended.endedAt, amountYen: 157 });
    expect(value(await h.uc.breakerAcked({ ...ack, ended })).outcome).toBe('noop');
  });
});

describe('stopCharge', () => {
  it('lets only the owner stop, and a repeated stop returns the state reached with one open command', async () => {
    const h = harness();
    const id = await charging(h);
    expect(errorCode(await h.uc.stopCharge({ driverId: 'drv_2', sessionId: id }))).toBe('SESSION.NOT_YOURS');
    expect(h.breaker.commandsFor(id).filter((c) => c.action === 'open')).toEqual([]);
    expect(errorCode(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: 'nope' }))).toBe('SESSION.NOT_FOUND');
    expect(value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: id })).state).toBe('STOPPING');
    expect(value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: id })).state).toBe('STOPPING');
    expect(h.breaker.commandsFor(id).filter((c) => c.action === 'open')).toHaveLength(1);
    await h.ackOpen(id, 11_000);
    expect(value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: id })).state).toBe('PAYMENT_PENDING');
    expect(h.payments.chargeCalls).toHaveLength(1);
  });

  it('cancels a session still awaiting its card and frees the station', async () => {
    const h = harness();
    await h.addStation('st_1');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' }));
    expect(value(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: session.id })).state).toBe('CANCELLED');
    expect((await h.stations.get('st_1'))?.activeSessionId).toBeUndefined();
  });

  it('refuses to stop while the breaker is still closing', async () => {
    const h = harness();
    await h.addStation('st_1');
    await h.driverWithCard('drv_1');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' }));
    expect(errorCode(await h.uc.stopCharge({ driverId: 'drv_1', sessionId: session.id }))).toBe(
      'SESSION.ILLEGAL_TRANSITION',
    );
  });
});

describe('sessionEndedByStation', () => {
  const end = (h: Harness, sessionId: string, stationId = 'st_1') =>
    h.uc.sessionEndedByStation({
      stationId,
      sessionId,
      startRegisterWh: 10_000,
      stopRegisterWh: 13_000,
      startedAt: '2026-03-01T09:00:01.000Z',
      endedAt: '2026-03-01T10:00:01.000Z',
      reason: 'evDisconnected',
    });

  it('meters from CHARGING when the EV is unplugged, frees the station and bills', async () => {
    const h = harness();
    const id = await charging(h);
    const r = value(await end(h, id));
    expect(r.session).toMatchObject({
      state: 'PAYMENT_PENDING',
      energyWh: 3_000,
      amountYen: 167,
      stopReason: 'evDisconnected',
    });
    expect((await h.stations.get('st_1'))?.activeSessionId).toBeUndefined();
    expect(value(await end(h, id)).outcome).toBe('noop');
    expect(errorCode(await end(h, id, 'st_9'))).toBe('SESSION.WRONG_STATION');
    expect(value(await end(h, 'nope')).outcome).toBe('unmatched');
  });

  it('alerts when energy flowed for a session that had failed to start, and bills nothing', async () => {
    const h = harness();
    await h.addStation('st_1');
    await h.driverWithCard('drv_1');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' }));
    value(await h.ackClose(session.id, 0, false));
    expect(value(await end(h, session.id)).outcome).toBe('noop');
    expect(h.alerts.withCode('ENERGY_AFTER_FAILED_START')).toHaveLength(1);
    expect(h.payments.chargeCalls).toEqual([]);
  });

  it('refuses a session_end for a session that never energized', async () => {
    const h = harness();
    await h.addStation('st_1');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' }));
    expect(errorCode(await end(h, session.id))).toBe('SESSION.ILLEGAL_TRANSITION');
  });

  it('bills nothing and alerts when the register went backwards', async () => {
    const h = harness();
    const id = await charging(h);
    const r = value(
      await h.uc.sessionEndedByStation({
        stationId: 'st_1',
        sessionId: id,
        startRegisterWh: 10_000,
        stopRegisterWh: 10,
        startedAt: h.clock.iso(),
        endedAt: h.clock.iso(),
        reason: 'fault',
      }),
    );
    expect(r.session).toMatchObject({ state: 'CARRIED_OVER', energyWh: 0, amountYen: 0 });
    expect(h.alerts.withCode('METER_INCONSISTENT')).toHaveLength(1);
  });
});
