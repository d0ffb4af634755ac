/** Stripe SDK errors translated at the edge into the domain's ChargeOutcome (or rethrown as unexpected). */
import Stripe from 'stripe';
import type { ChargeOutcome } from '../../ports/payment-gateway.port.js';

export class StripeGatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StripeGatewayError';
  }
}

/** Network failures, timeouts, 5xx, 409 (key in flight), rate limits: the same key may be retried. */
export function isRetryable(e: unknown): boolean {
  return (
    e instanceof Stripe.errors.StripeConnectionError ||
    e instanceof Stripe.errors.StripeRateLimitError ||
    (e instanceof Stripe.errors.StripeAPIError && (e.statusCode === undefined || e.statusCode >= 409)) ||
    (e instanceof Stripe.errors.StripeError && (e.statusCode === 409 || (e.statusCode ?? 0) >= 500))
  );
}

export function chargeOutcomeOf(e: unknown): ChargeOutcome {
  if (e instanceof Stripe.errors.StripeCardError) {
    const paymentIntentId = e.payment_intent?.id;
    if (e.code === 'authentication_required' && paymentIntentId) return { kind: 'action_required', paymentIntentId };
    return {
      kind: 'declined',
      ...(paymentIntentId ? { paymentIntentId } : {}),
      code: e.code ?? 'card_declined',
      ...(e.decline_code ? { declineCode: e.decline_code } : {}),
      message: e.message,
    };
  }
  if (e instanceof Stripe.errors.StripeInvalidRequestError && e.code === 'amount_too_small') {
    return { kind: 'amount_too_small' };
  }
  if (isRetryable(e)) return { kind: 'retryable', message: e instanceof Error ? e.message : String(e) };
  throw unexpected(e);
}

export function unexpected(e: unknown): StripeGatewayError {
  if (e instanceof Stripe.errors.StripeIdempotencyError) {
    return new StripeGatewayError(
      'STRIPE.IDEMPOTENCY_MISMATCH',
      'an idempotency key was reused with other parameters',
      { cause: e },
    );
  }
  if (e instanceof Stripe.errors.StripeAuthenticationError) {
    return new StripeGatewayError('STRIPE.AUTHENTICATION', 'Stripe rejected the API key', { cause: e });
  }
  if (e instanceof Stripe.errors.StripeError) {
    return new StripeGatewayError(`STRIPE.${(e.code ?? e.type).toUpperCase()}`, e.message, { cause: e });
  }
  return new StripeGatewayError('STRIPE.UNEXPECTED', e instanceof Error ? e.message : String(e), { cause: e });
}
