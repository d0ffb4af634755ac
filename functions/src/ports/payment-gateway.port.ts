/** What the domain needs from a card processor. No Stripe types cross this port. */

export interface CheckoutLinkResult {
  checkoutSessionId: string;
  url: string;
}

export interface SavedCard {
  paymentMethodId: string;
  brand?: string;
  last4?: string;
}

export interface OffSessionCharge {
  customerId: string;
  paymentMethodId: string;
  amountYen: number;
  sessionId: string;
  /** 1 for the first attempt; a new attempt only after the previous one is known to have failed. */
  attempt: number;
  /** Deterministic per session and attempt, so a retry after a crash can never charge twice. */
  idempotencyKey: string;
}

export type ChargeOutcome =
  | { kind: 'succeeded'; paymentIntentId: string }
  | { kind: 'processing'; paymentIntentId: string }
  | { kind: 'action_required'; paymentIntentId: string }
  | { kind: 'declined'; paymentIntentId?: string; code: string; declineCode?: string; message: string }
  | { kind: 'amount_too_small' }
  /** Network failure, timeout, 5xx, 409 in-flight: safe to retry with the SAME idempotency key. */
  | { kind: 'retryable'; message: string };

export type PaymentIntentStatus =
  | 'requires_payment_method'
  | 'requires_confirmation'
  | 'requires_action'
  | 'processing'
  | 'requires_capture'
  | 'canceled'
  | 'succeeded';

export interface PaymentIntentView {
  id: string;
  status: PaymentIntentStatus;
  amountYen: number;
  customerId?: string;
  sessionId?: string;
  created: string;
  /** The card the intent was confirmed with, once it has one (read with the payment method expanded). */
  card?: SavedCard;
  /**
   * `off_session`: a successful confirmation also saved the card to the customer for later charges
   * without the customer present (Stripe's `setup_future_usage`).
   */
  setupFutureUsage?: 'on_session' | 'off_session';
}

export interface PaymentGateway {
  /** Idempotent per driver (the idempotency key is derived from the driver id). */
  ensureCustomer(input: { driverId: string; email?: string }): Promise<{ customerId: string }>;
  /** Checkout in setup mode: saves a card for later off-session charges. */
  createSetupCheckout(input: {
    customerId: string;
    sessionId: string;
    successUrl: string;
    cancelUrl: string;
  }): Promise<CheckoutLinkResult>;
  /** The card saved by a completed setup Checkout Session. */
  savedCardOf(checkoutSessionId: string): Promise<SavedCard>;
  setDefaultPaymentMethod(customerId: string, paymentMethodId: string): Promise<void>;
  chargeOffSession(input: OffSessionCharge): Promise<ChargeOutcome>;
  /**
   * Checkout in payment mode for an outstanding amount (recovery after a decline/SCA). The card paid
   * with is also saved to the customer for later off-session charges (its intent says `off_session`).
   */
  createPaymentCheckout(input: {
    customerId: string;
    sessionId: string;
    amountYen: number;
    successUrl: string;
    cancelUrl: string;
  }): Promise<CheckoutLinkResult>;
  refund(input: { paymentIntentId: string; amountYen?: number; idempotencyKey: string }): Promise<{ refundId: string }>;
  retrievePaymentIntent(id: string): Promise<PaymentIntentView | undefined>;
  listPaymentIntents(input: {
    customerId?: string;
    createdAfter?: string;
    limit: number;
  }): Promise<PaymentIntentView[]>;
}
