import type { Logger } from '../ports/logger.port.js';
import type { PaymentEvent } from '../ports/payment-events.port.js';
import type { UseCases } from '../use-cases/index.js';

/**
 * A verified provider event into the domain, for the webhook handler — which checks the event id before
 * and marks it after (handlers/stripe-webhook.ts), so the use-case's own dedupe is not repeated here.
 * An expected refusal (an event for a session that already
 * moved on) is logged and acknowledged — a retry could not change it; unexpected errors propagate so the
 * webhook answers 500 and Stripe redelivers.
 */
export function makeApplyPaymentEvent(useCases: Pick<UseCases, 'paymentEventDedupedByCaller'>, logger: Logger) {
  return async (event: PaymentEvent): Promise<void> => {
    const r = await useCases.paymentEventDedupedByCaller(event);
    if (!r.ok) logger.warn('payment event refused', { eventId: event.eventId, type: event.type, code: r.error.code });
    else logger.info('payment event', { eventId: event.eventId, type: event.type, outcome: r.value.outcome });
  };
}
