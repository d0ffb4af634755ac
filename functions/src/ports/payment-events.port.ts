/**
 * Verified provider events, mapped to the domain's own small union. The adapter verifies the
 * signature over the raw body (two secrets accepted during rotation) before anything is parsed.
 */
export type PaymentEvent =
  | {
      type: 'checkout.completed';
      eventId: string;
      checkoutSessionId: string;
      mode: 'setup' | 'payment';
      sessionId?: string;
      customerId?: string;
      paymentIntentId?: string;
    }
  | {
      type: 'checkout.expired';
      eventId: string;
      checkoutSessionId: string;
      mode: 'setup' | 'payment';
      sessionId?: string;
    }
  | { type: 'payment.succeeded'; eventId: string; paymentIntentId: string; amountYen: number; sessionId?: string }
  | {
      type: 'payment.failed';
      eventId: string;
      paymentIntentId: string;
      sessionId?: string;
      code?: string;
      declineCode?: string;
      message?: string;
    }
  | { type: 'payment.action_required'; eventId: string; paymentIntentId: string; sessionId?: string }
  | { type: 'refunded'; eventId: string; paymentIntentId: string; amountYen: number; sessionId?: string }
  | { type: 'dispute.opened'; eventId: string; paymentIntentId?: string; amountYen: number }
  | { type: 'ignored'; eventId: string; providerType: string };

export type WebhookRejection = { reason: 'signature' | 'timestamp' | 'payload'; message: string };

export interface PaymentEvents {
  /** Verifies and parses one delivery; never throws for bad input. */
  verify(
    rawBody: string,
    signatureHeader: string | undefined,
  ): { ok: true; event: PaymentEvent } | { ok: false; error: WebhookRejection };
}
