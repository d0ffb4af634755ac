/**
 * PaymentEvents over Stripe webhooks: verify the signature on the raw body (one or two secrets, for
 * rotation; 300 s tolerance), then map the Stripe event to the domain's PaymentEvent union.
 * Unknown event types map to `ignored` so they are acknowledged, never retried forever.
 */
import { z } from 'zod';
import type { Clock } from '../../ports/clock.port.js';
import type { PaymentEvent, PaymentEvents, WebhookRejection } from '../../ports/payment-events.port.js';
import { checkSignature } from './webhook-signature.js';

export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/** An expandable Stripe reference: an id string or the expanded object. */
const ref = z
  .union([z.string(), z.object({ id: z.string() })])
  .nullable()
  .optional()
  .transform((v) => (v == null ? undefined : typeof v === 'string' ? v : v.id));
const metadata = z
  .record(z.string(), z.string())
  .nullable()
  .optional()
  .transform((m) => m ?? {});
const envelope = z.object({
  id: z.string().min(1),
  object: z.literal('event'),
  type: z.string().min(1),
  data: z.object({ object: z.unknown() }),
});
const checkoutSession = z.object({
  id: z.string(),
  mode: z.string(),
  client_reference_id: z.string().nullable().optional(),
  metadata,
  customer: ref,
  payment_intent: ref,
});
const paymentIntent = z.object({
  id: z.string(),
  amount: z.number().int(),
  amount_received: z.number().int().optional(),
  metadata,
  last_payment_error: z
    .object({
      code: z.string().nullish(),
      decline_code: z.string().nullish(),
      message: z.string().nullish(),
    })
    .nullable()
    .optional(),
});
const charge = z.object({ id: z.string(), payment_intent: ref, amount_refunded: z.number().int(), metadata });
const dispute = z.object({ id: z.string(), payment_intent: ref, amount: z.number().int() });

const opt = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } =>
  (value == null ? {} : { [key]: value }) as { [P in K]?: V };

function mapEvent(id: string, type: string, object: unknown): PaymentEvent {
  switch (type) {
    case 'checkout.session.completed':
    case 'checkout.session.expired': {
      const s = checkoutSession.parse(object);
      if (s.mode !== 'setup' && s.mode !== 'payment') return { type: 'ignored', eventId: id, providerType: type };
      const sessionId = s.client_reference_id ?? s.metadata.sessionId;
      if (type === 'checkout.session.expired') {
        return {
          type: 'checkout.expired',
          eventId: id,
          checkoutSessionId: s.id,
          mode: s.mode,
          ...opt('sessionId', sessionId),
        };
      }
      return {
        type: 'checkout.completed',
        eventId: id,
        checkoutSessionId: s.id,
        mode: s.mode,
        ...opt('sessionId', sessionId),
        ...opt('customerId', s.customer),
        ...opt('paymentIntentId', s.payment_intent),
      };
    }
    case 'payment_intent.succeeded': {
      const pi = paymentIntent.parse(object);
      return {
        type: 'payment.succeeded',
        eventId: id,
        paymentIntentId: pi.id,
        amountYen: pi.amount_received || pi.amount,
        ...opt('sessionId', pi.metadata.sessionId),
      };
    }
    case 'payment_intent.payment_failed': {
      const pi = paymentIntent.parse(object);
      const e = pi.last_payment_error;
      return {
        type: 'payment.failed',
        eventId: id,
        paymentIntentId: pi.id,
        ...opt('sessionId', pi.metadata.sessionId),
        ...opt('code', e?.code),
        ...opt('declineCode', e?.decline_code),
        ...opt('message', e?.message),
      };
    }
    case 'payment_intent.requires_action': {
      const pi = paymentIntent.parse(object);
      return {
        type: 'payment.action_required',
        eventId: id,
        paymentIntentId: pi.id,
        ...opt('sessionId', pi.metadata.sessionId),
      };
    }
    case 'charge.refunded': {
      const c = charge.parse(object);
      if (!c.payment_intent) return { type: 'ignored', eventId: id, providerType: type };
      return {
        type: 'refunded',
        eventId: id,
        paymentIntentId: c.payment_intent,
        amountYen: c.amount_refunded,
        ...opt('sessionId', c.metadata.sessionId),
      };
    }
    case 'charge.dispute.created': {
      const d = dispute.parse(object);
      return { type: 'dispute.opened', eventId: id, amountYen: d.amount, ...opt('paymentIntentId', d.payment_intent) };
    }
    default:
      return { type: 'ignored', eventId: id, providerType: type };
  }
}

export interface StripePaymentEventsOptions {
  toleranceSeconds?: number;
  clock?: Clock;
}

export class StripePaymentEvents implements PaymentEvents {
  private readonly secrets: readonly string[];
  private readonly toleranceSeconds: number;
  private readonly clock: Clock;

  /** One secret, or two while the endpoint's secret is being rolled (old and new both accepted). */
  constructor(secrets: string | readonly string[], options: StripePaymentEventsOptions = {}) {
    const list = (typeof secrets === 'string' ? [secrets] : [...secrets]).filter((s) => s.trim() !== '');
    if (list.length < 1 || list.length > 2) throw new Error('StripePaymentEvents needs one or two webhook secrets');
    this.secrets = list;
    this.toleranceSeconds = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
    this.clock = options.clock ?? { now: () => new Date() };
  }

  verify(
    rawBody: string,
    signatureHeader: string | undefined,
  ): { ok: true; event: PaymentEvent } | { ok: false; error: WebhookRejection } {
    const check = checkSignature(rawBody, signatureHeader, this.secrets, {
      toleranceSeconds: this.toleranceSeconds,
      nowSeconds: Math.floor(this.clock.now().getTime() / 1000),
    });
    if (!check.ok) return { ok: false, error: { reason: check.reason, message: check.message } };
    try {
      const e = envelope.parse(JSON.parse(rawBody));
      return { ok: true, event: mapEvent(e.id, e.type, e.data.object) };
    } catch (cause) {
      const message =
        cause instanceof z.ZodError ? `unexpected event shape: ${cause.issues[0]?.message ?? ''}` : 'body is not JSON';
      return { ok: false, error: { reason: 'payload', message } };
    }
  }
}
