import type { DomainError } from '../domain/errors.js';
import { ok, type Result } from '../domain/result.js';
import type { Session } from '../domain/session.js';
import type { PaymentEvent } from '../ports/payment-events.port.js';
import type { UseCaseDeps } from './deps.js';
import { energize } from './energize.js';
import { type EventOutcome, outcomeOf } from './event-outcome.js';
import { transition, updateDriver } from './session-commit.js';

export type CheckoutCompletedEvent = Extract<PaymentEvent, { type: 'checkout.completed' }>;
export type CheckoutCompleted = (event: CheckoutCompletedEvent) => Promise<Result<EventOutcome, DomainError>>;

/**
 * setup mode: the saved card becomes the driver's default (even if the session was cancelled
 * meanwhile — the next start needs no Checkout), then the session energizes.
 * payment mode: the outstanding session is settled → PAID, which also lifts the driver's block.
 */
export function makeCheckoutCompleted(deps: UseCaseDeps): CheckoutCompleted {
  return async (event) => {
    const session = event.sessionId ? await deps.sessions.get(event.sessionId) : undefined;
    if (!session) {
      deps.logger.warn('checkout completed for no known session', { checkoutSessionId: event.checkoutSessionId });
      return ok({ outcome: 'unmatched' });
    }
    if (event.mode === 'payment') {
      const paymentIntentId = event.paymentIntentId ?? event.checkoutSessionId;
      const paidWith = event.paymentIntentId ? await adoptHostedPaymentCard(deps, session, event.paymentIntentId) : {};
      return outcomeOf(
        await transition(
          deps,
          session.id,
          {
            type: 'PaymentSucceeded',
            paymentIntentId,
            amountYen: session.chargeYen ?? 0,
            via: 'checkout',
            ...paidWith,
            eventId: event.eventId,
          },
          { known: session },
        ),
        deps,
        paymentIntentId,
      );
    }
    const card = await deps.payments.savedCardOf(event.checkoutSessionId);
    const driver = await deps.drivers.get(session.driverId);
    const customerId = event.customerId ?? driver?.stripeCustomerId;
    if (customerId) await deps.payments.setDefaultPaymentMethod(customerId, card.paymentMethodId);
    await updateDriver(deps, session.driverId, () => ({
      defaultPaymentMethodId: card.paymentMethodId,
      cardBrand: card.brand,
      cardLast4: card.last4,
      ...(customerId ? { stripeCustomerId: customerId } : {}),
    }));
    const applied = await transition(
      deps,
      session.id,
      {
        type: 'CheckoutCompleted',
        checkoutSessionId: event.checkoutSessionId,
        paymentMethodId: card.paymentMethodId,
        cardBrand: card.brand,
        cardLast4: card.last4,
        startCmdId: deps.ids.next('cmd'),
        eventId: event.eventId,
      },
      { known: session },
    );
    if (applied.kind !== 'transitioned') return outcomeOf(applied, deps);
    return ok({ outcome: 'applied', session: await energize(deps, applied.session) });
  };
}

/** What a hosted payment adds to its PaymentSucceeded: the card that paid, and whether it was saved. */
export type HostedPaymentCard = {
  paymentMethodId?: string;
  cardBrand?: string;
  cardLast4?: string;
  savedAsDefault?: boolean;
};

const AWAITING_RECOVERY: readonly Session['state'][] = ['PAYMENT_FAILED', 'PAYMENT_ACTION_REQUIRED'];

/**
 * The card a hosted recovery payment was made with, read from its PaymentIntent, so the receipt names it
 * and not the card that failed. The recovery Checkout saved it for off-session use: it becomes the default
 * at the processor and on the driver row BEFORE the session is marked PAID — both writes are idempotent,
 * so a crash in between leaves the redelivered event to finish. Nothing for the session's own
 * off-session intent, nor for a session no longer awaiting recovery (the transition is a no-op then).
 */
export async function adoptHostedPaymentCard(
  deps: UseCaseDeps,
  session: Session,
  paymentIntentId: string,
): Promise<HostedPaymentCard> {
  if (!AWAITING_RECOVERY.includes(session.state) || session.paymentIntentId === paymentIntentId) return {};
  const pi = await deps.payments.retrievePaymentIntent(paymentIntentId);
  const card = pi?.card;
  if (!card) {
    deps.logger.warn('hosted payment without a known card', { sessionId: session.id, paymentIntentId });
    return {};
  }
  const paidWith = { paymentMethodId: card.paymentMethodId, cardBrand: card.brand, cardLast4: card.last4 };
  if (pi.setupFutureUsage !== 'off_session') return paidWith;
  const driver = await updateDriver(deps, session.driverId, (d) =>
    d.defaultPaymentMethodId === card.paymentMethodId
      ? undefined
      : { defaultPaymentMethodId: card.paymentMethodId, cardBrand: card.brand, cardLast4: card.last4 },
  );
  const customerId = pi.customerId ?? session.customerId ?? driver?.stripeCustomerId;
  if (customerId) await deps.payments.setDefaultPaymentMethod(customerId, card.paymentMethodId);
  deps.logger.info('recovery card saved as default', { sessionId: session.id, paymentIntentId });
  return { ...paidWith, savedAsDefault: true };
}
