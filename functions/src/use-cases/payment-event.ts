import type { DomainError } from '../domain/errors.js';
import { ok, type Result } from '../domain/result.js';
import type { Session } from '../domain/session.js';
import type { SessionEvent } from '../domain/session-events.js';
import type { PaymentEvent } from '../ports/payment-events.port.js';
import { adoptHostedPaymentCard, type HostedPaymentCard, makeCheckoutCompleted } from './checkout-completed.js';
import { makeCheckoutExpired } from './checkout-expired.js';
import type { UseCaseDeps } from './deps.js';
import { type EventOutcome, outcomeOf } from './event-outcome.js';
import { transition } from './session-commit.js';

export type PaymentEventUseCase = (event: PaymentEvent) => Promise<Result<EventOutcome, DomainError>>;

/**
 * Moves sessions on from verified payment events. Dedupe by event id is done HERE: a delivery already
 * applied answers `duplicate`; an event is marked only after it was applied (a crash in between is
 * harmless because the machine makes a repeat a no-op). Callers must not mark events themselves.
 */
export function makePaymentEvent(deps: UseCaseDeps): PaymentEventUseCase {
  const dispatch = makePaymentEventDispatch(deps);
  return async (event) => {
    if (await deps.processedEvents.has(event.eventId)) return ok({ outcome: 'duplicate' });
    const result = await dispatch(event);
    if (result.ok) await deps.processedEvents.markOnce(event.eventId, deps.clock.now().toISOString());
    return result;
  };
}

/**
 * The same without the dedupe, for a caller that already checks and marks the event id around it (the
 * Stripe webhook handler does): deduping twice costs two more store calls per event and changes nothing.
 */
export function makePaymentEventDispatch(deps: UseCaseDeps): PaymentEventUseCase {
  const checkoutCompleted = makeCheckoutCompleted(deps);
  const checkoutExpired = makeCheckoutExpired(deps);
  return dispatch;

  async function dispatch(event: PaymentEvent): Promise<Result<EventOutcome, DomainError>> {
    switch (event.type) {
      case 'checkout.completed':
        return checkoutCompleted(event);
      case 'checkout.expired':
        return checkoutExpired(event);
      case 'dispute.opened':
        await deps.alerts.raise({
          code: 'DISPUTE_OPENED',
          detail: `dispute over ¥${event.amountYen} on ${event.paymentIntentId ?? 'an unknown payment'}`,
        });
        return ok({ outcome: 'alerted' });
      case 'ignored':
        return ok({ outcome: 'ignored' });
      default:
        break;
    }
    if (!event.sessionId) {
      deps.logger.warn('payment event without a session', { eventId: event.eventId, type: event.type });
      return ok({ outcome: 'unmatched' });
    }
    const sessionId = event.sessionId;
    // A payment's card is looked up only for a hosted recovery payment, which needs the session first;
    // it is then handed to the commit as already read, so the store sees no extra call.
    const known = event.type === 'payment.succeeded' ? await deps.sessions.get(sessionId) : undefined;
    const paidWith =
      known && event.type === 'payment.succeeded'
        ? await adoptHostedPaymentCard(deps, known, event.paymentIntentId)
        : {};
    const applied = await transition(
      deps,
      sessionId,
      (session) => sessionEventOf(event, session, paidWith),
      known ? { known } : {},
    );
    if (event.type === 'refunded') {
      await deps.alerts.raise({
        code: 'PAYMENT_REFUNDED',
        sessionId,
        detail: `¥${event.amountYen} refunded in total on ${event.paymentIntentId}`,
      });
    }
    if (event.type === 'payment.succeeded' && applied.kind === 'transitioned') {
      const due = applied.before.chargeYen;
      if (due !== undefined && due !== event.amountYen) {
        await deps.alerts.raise({
          code: 'PAYMENT_AMOUNT_MISMATCH',
          sessionId,
          detail: `paid ¥${event.amountYen}, due ¥${due}`,
        });
      }
    }
    return outcomeOf(applied, deps, event.type === 'payment.succeeded' ? event.paymentIntentId : undefined);
  }
}

type SessionPaymentEvent = Extract<
  PaymentEvent,
  { type: 'payment.succeeded' | 'payment.failed' | 'payment.action_required' | 'refunded' }
>;

function sessionEventOf(event: SessionPaymentEvent, session: Session, paidWith: HostedPaymentCard): SessionEvent {
  switch (event.type) {
    case 'payment.succeeded': {
      // The off-session intent is the one persisted while pending; any other is a hosted recovery payment.
      const offSession = session.state === 'PAYMENT_PENDING' || session.paymentIntentId === event.paymentIntentId;
      return {
        type: 'PaymentSucceeded',
        paymentIntentId: event.paymentIntentId,
        amountYen: event.amountYen,
        via: offSession ? 'offSession' : 'checkout',
        ...(offSession ? {} : paidWith),
        eventId: event.eventId,
      };
    }
    case 'payment.failed':
      // Stripe reports an off-session charge that needs the customer back on-session as
      // payment_intent.payment_failed with code authentication_required: not a decline. Read as one,
      // the outcome would hinge on whether this webhook or the call's own result landed first.
      if (event.code === 'authentication_required' || event.declineCode === 'authentication_required') {
        return { type: 'PaymentActionRequired', paymentIntentId: event.paymentIntentId, eventId: event.eventId };
      }
      return {
        type: 'PaymentDeclined',
        paymentIntentId: event.paymentIntentId,
        code: event.code ?? 'payment_failed',
        declineCode: event.declineCode,
        message: event.message ?? 'The payment failed.',
        eventId: event.eventId,
      };
    case 'payment.action_required':
      return { type: 'PaymentActionRequired', paymentIntentId: event.paymentIntentId, eventId: event.eventId };
    case 'refunded':
      return {
        type: 'Refunded',
        paymentIntentId: event.paymentIntentId,
        amountYen: event.amountYen,
        eventId: event.eventId,
      };
  }
}
