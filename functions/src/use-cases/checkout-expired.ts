import type { DomainError } from '../domain/errors.js';
import { ok, type Result } from '../domain/result.js';
import type { PaymentEvent } from '../ports/payment-events.port.js';
import type { UseCaseDeps } from './deps.js';
import { type EventOutcome, outcomeOf } from './event-outcome.js';
import { transition } from './session-commit.js';
import { releaseStation } from './station-effects.js';

export type CheckoutExpiredEvent = Extract<PaymentEvent, { type: 'checkout.expired' }>;
export type CheckoutExpired = (event: CheckoutExpiredEvent) => Promise<Result<EventOutcome, DomainError>>;

/**
 * A setup Checkout that expired cancels its session and frees the station. An expired payment-mode
 * Checkout changes nothing: the driver stays blocked and may open a new one (payOutstanding).
 */
export function makeCheckoutExpired(deps: UseCaseDeps): CheckoutExpired {
  return async (event) => {
    if (event.mode === 'payment') return ok({ outcome: 'ignored' });
    if (!event.sessionId) return ok({ outcome: 'unmatched' });
    const applied = await transition(deps, event.sessionId, {
      type: 'CheckoutAbandoned',
      reason: 'expired',
      checkoutSessionId: event.checkoutSessionId,
      eventId: event.eventId,
    });
    if (applied.kind === 'transitioned') await releaseStation(deps, applied.session);
    return outcomeOf(applied, deps);
  };
}
