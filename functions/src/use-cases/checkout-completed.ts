import type { DomainError } from '../domain/errors.js';
import { ok, type Result } from '../domain/result.js';
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
      return outcomeOf(
        await transition(
          deps,
          session.id,
          {
            type: 'PaymentSucceeded',
            paymentIntentId,
            amountYen: session.chargeYen ?? 0,
            via: 'checkout',
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
