/** Sessions in every state, each reached through the machine itself (no hand-set states). */
import type { Session, SessionState } from '../../../functions/src/domain/session.js';
import type { SessionEvent } from '../../../functions/src/domain/session-events.js';
import { openSession } from '../../../functions/src/domain/session-factory.js';
import { applyEvent } from '../../../functions/src/domain/session-machine.js';
import type { Tariff } from '../../../functions/src/domain/tariff.js';

export const TARIFF: Tariff = { milliYenPerKwh: 55_500, sessionFeeYen: 0, milliYenPerMinute: 0 };
export const T0 = '2026-03-01T09:00:00.000Z';
export const at = (minutes: number): string => new Date(Date.parse(T0) + minutes * 60_000).toISOString();

export function awaiting(): Session {
  return openSession({
    id: 'ses_1',
    driverId: 'drv_1',
    stationId: 'st_1',
    startKey: 'k1',
    tariff: TARIFF,
    at: T0,
    start: { kind: 'checkout', checkoutSessionId: 'cs_1', checkoutUrl: 'https://pay.test/cs_1' },
  }).session;
}

export function energizing(): Session {
  return openSession({
    id: 'ses_1',
    driverId: 'drv_1',
    stationId: 'st_1',
    startKey: 'k1',
    tariff: TARIFF,
    at: T0,
    start: {
      kind: 'cardOnFile',
      paymentMethodId: 'pm_1',
      cardBrand: 'visa',
      cardLast4: '4242',
      startCmdId: 'cmd_start',
    },
  }).session;
}

export function step(session: Session, event: SessionEvent, when = at(1)): Session {
  const t = applyEvent(session, event, when);
  if (t.kind !== 'transitioned') throw new Error(`fixture: ${event.type} did not move ${session.state}`);
  return t.session;
}

export const closed = (registerWh = 1_000, when = at(1)): SessionEvent => ({
  type: 'BreakerClosed',
  cmdId: 'cmd_start',
  registerWh,
  at: when,
});
export const stop: SessionEvent = { type: 'StopRequested', cmdId: 'cmd_stop', reason: 'remote' };
export const opened = (registerWh = 3_000, when = at(31)): SessionEvent => ({
  type: 'BreakerOpened',
  cmdId: 'cmd_stop',
  registerWh,
  at: when,
});
export const billing = (balanceYen = 0): SessionEvent => ({
  type: 'BillingDecided',
  balanceYen,
  customerId: 'cus_1',
  paymentMethodId: 'pm_1',
});

/** METERED with 2,000 Wh at ¥55.5/kWh = ¥111 (or `stopWh` for other amounts). */
export function metered(stopWh = 3_000): Session {
  return step(step(step(energizing(), closed(1_000)), stop, at(30)), opened(stopWh), at(31));
}

export function inState(state: SessionState): Session {
  switch (state) {
    case 'AWAITING_PAYMENT_METHOD':
      return awaiting();
    case 'ENERGIZING':
      return energizing();
    case 'CHARGING':
      return step(energizing(), closed());
    case 'STOPPING':
      return step(step(energizing(), closed()), stop);
    case 'METERED':
      return metered();
    case 'PAYMENT_PENDING':
      return step(metered(), billing());
    case 'PAYMENT_ACTION_REQUIRED':
      return step(inState('PAYMENT_PENDING'), { type: 'PaymentActionRequired', paymentIntentId: 'pi_1' });
    case 'PAYMENT_FAILED':
      return step(inState('PAYMENT_PENDING'), {
        type: 'PaymentDeclined',
        paymentIntentId: 'pi_1',
        code: 'card_declined',
        declineCode: 'insufficient_funds',
        message: 'Insufficient funds.',
      });
    case 'PAID':
      return step(inState('PAYMENT_PENDING'), {
        type: 'PaymentSucceeded',
        paymentIntentId: 'pi_1',
        amountYen: 111,
        via: 'offSession',
      });
    case 'CARRIED_OVER':
      return step(metered(1_100), billing());
    case 'FAILED_TO_START':
      return step(energizing(), { type: 'StartTimedOut', reason: 'ackTimeout' });
    case 'CANCELLED':
      return step(awaiting(), { type: 'CheckoutAbandoned', reason: 'expired', checkoutSessionId: 'cs_1' });
  }
}
