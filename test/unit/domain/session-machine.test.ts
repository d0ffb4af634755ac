import { describe, expect, it } from 'vitest';
import { SESSION_STATES, type SessionState } from '../../../functions/src/domain/session.js';
import {
  SESSION_EVENT_TYPES,
  type SessionEvent,
  type SessionEventType,
} from '../../../functions/src/domain/session-events.js';
import { applyEvent, STATE_RANK } from '../../../functions/src/domain/session-machine.js';
import { at, billing, closed, energizing, inState, metered, opened, step, stop, TARIFF } from './session-fixtures.js';

const EVENTS: Record<SessionEventType, SessionEvent> = {
  CheckoutCompleted: {
    type: 'CheckoutCompleted',
    checkoutSessionId: 'cs_1',
    paymentMethodId: 'pm_9',
    cardBrand: 'visa',
    cardLast4: '4242',
    startCmdId: 'cmd_start',
  },
  CheckoutAbandoned: { type: 'CheckoutAbandoned', reason: 'expired', checkoutSessionId: 'cs_1' },
  BreakerClosed: closed(),
  BreakerRefused: { type: 'BreakerRefused', cmdId: 'cmd_start', reason: 'fault' },
  StartTimedOut: { type: 'StartTimedOut', reason: 'ackTimeout' },
  StopRequested: stop,
  BreakerOpened: opened(),
  SessionEnded: {
    type: 'SessionEnded',
    startRegisterWh: 1_000,
    stopRegisterWh: 3_000,
    startedAt: at(1),
    endedAt: at(31),
    reason: 'evDisconnected',
  },
  BillingDecided: billing(),
  ChargeSubmitted: { type: 'ChargeSubmitted', paymentIntentId: 'pi_2', status: 'succeeded' },
  PaymentActionRequired: { type: 'PaymentActionRequired', paymentIntentId: 'pi_1' },
  PaymentDeclined: { type: 'PaymentDeclined', paymentIntentId: 'pi_1', code: 'card_declined', message: 'no' },
  PaymentSucceeded: { type: 'PaymentSucceeded', paymentIntentId: 'pi_1', amountYen: 111, via: 'offSession' },
  Refunded: { type: 'Refunded', paymentIntentId: 'pi_1', amountYen: 50 },
};

type Expect = SessionState | 'noop' | 'illegal';
const COLUMNS = [
  'AWAITING_PAYMENT_METHOD',
  'ENERGIZING',
  'CHARGING',
  'STOPPING',
  'METERED',
  'PAYMENT_PENDING',
  'PAYMENT_ACTION_REQUIRED',
  'PAYMENT_FAILED',
  'PAID',
  'CARRIED_OVER',
  'FAILED_TO_START',
  'CANCELLED',
] as const satisfies readonly SessionState[];
const [_AW, EN, CH, ST, ME, PP, PAR, PF, PAID, _CO, FTS, CAN] = COLUMNS;
/** The specification, one row per event, columns in COLUMNS order. */
const ROWS: Record<SessionEventType, Expect[]> = {
  //                      AW          EN         CH         ST         ME        PP         PAR        PF         PAID       CO         FTS        CAN
  CheckoutCompleted: [EN, 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop'],
  CheckoutAbandoned: [CAN, 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop'],
  BreakerClosed: ['illegal', CH, 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'illegal'],
  BreakerRefused: ['illegal', FTS, 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'illegal'],
  StartTimedOut: ['illegal', FTS, 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'illegal'],
  StopRequested: [CAN, 'illegal', ST, 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop'],
  BreakerOpened: ['illegal', 'illegal', 'illegal', ME, 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop'],
  SessionEnded: ['illegal', ME, ME, ME, 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'noop', 'illegal'],
  BillingDecided: [
    'illegal',
    'illegal',
    'illegal',
    'illegal',
    PP,
    'noop',
    'noop',
    'noop',
    'noop',
    'noop',
    'illegal',
    'illegal',
  ],
  ChargeSubmitted: [
    'illegal',
    'illegal',
    'illegal',
    'illegal',
    'illegal',
    PP,
    'noop',
    'noop',
    'noop',
    'illegal',
    'illegal',
    'illegal',
  ],
  PaymentActionRequired: [
    'illegal',
    'illegal',
    'illegal',
    'illegal',
    'illegal',
    PAR,
    'noop',
    'noop',
    'noop',
    'illegal',
    'illegal',
    'illegal',
  ],
  PaymentDeclined: [
    'illegal',
    'illegal',
    'illegal',
    'illegal',
    'illegal',
    PF,
    'noop',
    'noop',
    'noop',
    'illegal',
    'illegal',
    'illegal',
  ],
  PaymentSucceeded: [
    'illegal',
    'illegal',
    'illegal',
    'illegal',
    'illegal',
    PAID,
    PAID,
    PAID,
    'noop',
    'illegal',
    'illegal',
    'illegal',
  ],
  Refunded: [
    'illegal',
    'illegal',
    'illegal',
    'illegal',
    'illegal',
    'illegal',
    'illegal',
    'illegal',
    PAID,
    'illegal',
    'illegal',
    'illegal',
  ],
};

const cases = SESSION_EVENT_TYPES.flatMap((type) =>
  COLUMNS.map((state, i) => ({ type, state, expected: ROWS[type][i] as Expect })),
);

describe('applyEvent: every state × every event', () => {
  it('has a specified outcome for all 12 states × 14 events', () => {
    expect([...COLUMNS].sort()).toEqual([...SESSION_STATES].sort());
    expect(cases).toHaveLength(SESSION_STATES.length * SESSION_EVENT_TYPES.length);
    expect(cases.every((c) => c.expected !== undefined)).toBe(true);
  });

  it.each(cases)('$type in $state → $expected', ({ type, state, expected }) => {
    const before = inState(state);
    const t = applyEvent(before, EVENTS[type], at(40));
    if (expected === 'noop') {
      expect(t).toEqual({ kind: 'noop', state });
    } else if (expected === 'illegal') {
      expect(t.kind).toBe('illegal');
      if (t.kind === 'illegal') {
        expect(t.error.code).toBe('SESSION.ILLEGAL_TRANSITION');
        expect(t.error.details).toMatchObject({ state, event: type, sessionId: before.id });
      }
    } else {
      expect(t.kind).toBe('transitioned');
      if (t.kind !== 'transitioned') return;
      expect(t.session.state).toBe(expected);
      expect(t.session.version).toBe(before.version + 1);
      expect(t.session.updatedAt).toBe(at(40));
      expect(t.entry).toMatchObject({
        sessionId: before.id,
        seq: before.version + 1,
        at: at(40),
        from: state,
        to: expected,
        cause: type,
      });
      expect(STATE_RANK[t.session.state]).toBeGreaterThanOrEqual(STATE_RANK[state]);
    }
  });

  it.each(cases.filter((c) => c.expected !== 'noop' && c.expected !== 'illegal'))(
    'a duplicate $type after reaching $expected is a no-op reporting the state reached',
    ({ type, state }) => {
      const first = applyEvent(inState(state), EVENTS[type], at(40));
      if (first.kind !== 'transitioned') throw new Error('expected a transition');
      expect(applyEvent(first.session, EVENTS[type], at(41))).toEqual({ kind: 'noop', state: first.session.state });
    },
  );
});

describe('evidence and figures', () => {
  it('bills stop minus start register at the tariff, rounded once', () => {
    const s = metered(3_000);
    expect(s).toMatchObject({ startRegisterWh: 1_000, stopRegisterWh: 3_000, energyWh: 2_000, amountYen: 111 });
    expect(s.startedAt).toBe(at(1));
    expect(s.endedAt).toBe(at(31));
  });

  it('records the register and command id of each breaker ack in the ledger', () => {
    const t = applyEvent(energizing(), closed(1_234), at(2));
    expect(t.kind === 'transitioned' && t.entry.evidence).toEqual({ cmdId: 'cmd_start', registerWh: 1_234 });
  });

  it('refuses an ack that answers another command', () => {
    const t = applyEvent(energizing(), { ...closed(), cmdId: 'cmd_other' } as SessionEvent, at(2));
    expect(t.kind).toBe('illegal');
    const charging = step(step(energizing(), closed()), stop);
    expect(applyEvent(charging, { ...opened(), cmdId: 'cmd_x' } as SessionEvent, at(3)).kind).toBe('illegal');
    expect(applyEvent(energizing(), { type: 'BreakerRefused', cmdId: 'cmd_x', reason: 'busy' }, at(2)).kind).toBe(
      'illegal',
    );
  });

  it('meters from ENERGIZING when session_end overtakes the close ack, using the station registers', () => {
    const t = applyEvent(energizing(), EVENTS.SessionEnded, at(32));
    expect(t.kind === 'transitioned' && t.session).toMatchObject({
      state: 'METERED',
      energyWh: 2_000,
      amountYen: 111,
      stopReason: 'evDisconnected',
    });
  });

  it('keeps the start register from the close ack when the station reports session_end', () => {
    const charging = step(energizing(), closed(1_000));
    const t = applyEvent(charging, { ...EVENTS.SessionEnded, startRegisterWh: 900 } as SessionEvent, at(32));
    expect(t.kind === 'transitioned' && t.session.energyWh).toBe(2_000);
  });

  describe('a station that ended the session by itself before the open command reached it', () => {
    // TKY-SBY-03's tariff: ¥49/kWh and ¥1 per started minute. Charging from minute 1; the driver
    // stops at 30 while the station is offline; its offline cap ends the session at 33 (2,000 Wh);
    // it comes back, and the queued open command is answered at minute 120.
    const perMinute = { milliYenPerKwh: 49_000, sessionFeeYen: 0, milliYenPerMinute: 1_000 };
    const stopping = () => step(step({ ...energizing(), tariff: perMinute }, closed(1_000)), stop, at(30));
    const ended = { stopRegisterWh: 2_000, endedAt: at(33), reason: 'offlineCap' as const };
    const lateAck: SessionEvent = { ...opened(2_000, at(120)), ended } as SessionEvent;
    const sessionEnd: SessionEvent = {
      type: 'SessionEnded',
      startRegisterWh: 1_000,
      startedAt: at(1),
      ...ended,
    };

    it('bills the end the ack carries, not the time the ack came: ¥49 + 32 min, not + 119 min', () => {
      const t = applyEvent(stopping(), lateAck, at(120));
      expect(t.kind === 'transitioned' && t.session).toMatchObject({
        state: 'METERED',
        stopRegisterWh: 2_000,
        endedAt: at(33),
        energyWh: 1_000,
        amountYen: 49 + 32,
        stopReason: 'remote',
      });
      expect(t.kind === 'transitioned' && t.entry.evidence).toMatchObject({
        cmdId: 'cmd_stop',
        stationReason: 'offlineCap',
        registerWh: 2_000,
      });
    });

    it('meters the same figures whichever of ack and session_end lands first; the other is a no-op', () => {
      const byAck = step(stopping(), lateAck, at(120));
      const byEnd = step(stopping(), sessionEnd, at(120));
      const figures = (x: typeof byAck) => ({
        startRegisterWh: x.startRegisterWh,
        stopRegisterWh: x.stopRegisterWh,
        startedAt: x.startedAt,
        endedAt: x.endedAt,
        energyWh: x.energyWh,
        amountYen: x.amountYen,
        stopReason: x.stopReason,
      });
      expect(figures(byAck)).toEqual(figures(byEnd));
      expect(applyEvent(byAck, sessionEnd, at(121))).toEqual({ kind: 'noop', state: 'METERED' });
      expect(applyEvent(byEnd, lateAck, at(121))).toEqual({ kind: 'noop', state: 'METERED' });
    });

    it('without that end (an older station) still bills from the ack, as before', () => {
      const t = applyEvent(stopping(), opened(2_000, at(120)), at(120));
      expect(t.kind === 'transitioned' && t.session).toMatchObject({ endedAt: at(120), amountYen: 49 + 119 });
      expect(t.kind === 'transitioned' && t.entry.evidence.stationReason).toBeUndefined();
    });
  });

  it('bills nothing and flags the session when the register went backwards', () => {
    const s = metered(500);
    expect(s).toMatchObject({ energyWh: 0, amountYen: 0, failureCode: 'METER_INCONSISTENT' });
  });

  it('carries a sub-¥50 amount and charges a session that brings the total to ¥50', () => {
    const small = applyEvent(metered(1_100), billing(0), at(40));
    expect(small.kind === 'transitioned' && small.session).toMatchObject({ state: 'CARRIED_OVER', amountYen: 6 });
    const due = applyEvent(metered(1_100), billing(44), at(40));
    expect(due.kind === 'transitioned' && due.session).toMatchObject({
      state: 'PAYMENT_PENDING',
      amountYen: 6,
      carriedInYen: 44,
      chargeYen: 50,
      paymentAttempt: 1,
      idempotencyKey: 'charge:ses_1:1',
      customerId: 'cus_1',
    });
  });

  it('records the PaymentIntent once; the same id again is a no-op and another id is illegal', () => {
    const pending = inState('PAYMENT_PENDING');
    const first = applyEvent(pending, EVENTS.ChargeSubmitted, at(41));
    if (first.kind !== 'transitioned') throw new Error('expected transition');
    expect(first.session).toMatchObject({ state: 'PAYMENT_PENDING', paymentIntentId: 'pi_2' });
    expect(first.entry.evidence).toMatchObject({ stripeObjectId: 'pi_2' });
    expect(applyEvent(first.session, EVENTS.ChargeSubmitted, at(42)).kind).toBe('noop');
    const other = { ...EVENTS.ChargeSubmitted, paymentIntentId: 'pi_3' } as SessionEvent;
    expect(applyEvent(first.session, other, at(42)).kind).toBe('illegal');
  });

  it('pays a failed or action-required session through the hosted page and clears the failure', () => {
    for (const state of ['PAYMENT_FAILED', 'PAYMENT_ACTION_REQUIRED'] as const) {
      const t = applyEvent(
        inState(state),
        { type: 'PaymentSucceeded', paymentIntentId: 'pi_hosted', amountYen: 111, via: 'checkout', cardLast4: '0341' },
        at(50),
      );
      if (t.kind !== 'transitioned') throw new Error('expected transition');
      expect(t.session).toMatchObject({
        state: 'PAID',
        paymentIntentId: 'pi_hosted',
        paidAt: at(50),
        cardLast4: '0341',
      });
      expect(t.session.failureCode).toBeUndefined();
      expect(t.entry.evidence).toMatchObject({ via: 'checkout', stripeObjectId: 'pi_hosted' });
    }
  });

  it('keeps refunds cumulative: a smaller or equal total is a no-op', () => {
    const refunded = step(inState('PAID'), EVENTS.Refunded);
    expect(refunded).toMatchObject({ state: 'PAID', refundedYen: 50 });
    expect(applyEvent(refunded, { ...EVENTS.Refunded, amountYen: 50 } as SessionEvent, at(60)).kind).toBe('noop');
    expect(step(refunded, { ...EVENTS.Refunded, amountYen: 111 } as SessionEvent).refundedYen).toBe(111);
  });

  it('refuses a completion or expiry that belongs to another checkout', () => {
    expect(
      applyEvent(
        inState('AWAITING_PAYMENT_METHOD'),
        { ...EVENTS.CheckoutCompleted, checkoutSessionId: 'cs_x' } as SessionEvent,
        at(2),
      ).kind,
    ).toBe('illegal');
    expect(
      applyEvent(
        inState('AWAITING_PAYMENT_METHOD'),
        { ...EVENTS.CheckoutAbandoned, checkoutSessionId: 'cs_x' } as SessionEvent,
        at(2),
      ).kind,
    ).toBe('illegal');
  });

  it('names why a start failed', () => {
    const codes = (['ackTimeout', 'stationOffline', 'commandNotSent'] as const).map(
      (reason) => step(energizing(), { type: 'StartTimedOut', reason }).failureCode,
    );
    expect(codes).toEqual(['ACK_TIMEOUT', 'STATION_OFFLINE', 'COMMAND_NOT_SENT']);
    expect(step(energizing(), EVENTS.BreakerRefused).failureCode).toBe('BREAKER_REFUSED');
  });

  it('cancels a session still awaiting its card when the driver stops it', () => {
    expect(step(inState('AWAITING_PAYMENT_METHOD'), stop)).toMatchObject({ state: 'CANCELLED', stopReason: 'remote' });
  });

  it('stores no undefined fields', () => {
    const paid = inState('PAID');
    expect(Object.values(paid).includes(undefined)).toBe(false);
    expect(TARIFF.milliYenPerKwh).toBe(55_500);
  });
});
