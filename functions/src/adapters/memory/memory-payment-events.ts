import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { PaymentEvent, PaymentEvents, WebhookRejection } from '../../ports/payment-events.port.js';

const Mode = z.enum(['setup', 'payment']);
const Yen = z.number().int().nonnegative();
const Id = z.string().min(1);

/** The domain's payment events exactly as the port types them: the fake's delivery body is this JSON. */
export const PaymentEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('checkout.completed'),
    eventId: Id,
    checkoutSessionId: Id,
    mode: Mode,
    sessionId: Id.optional(),
    customerId: Id.optional(),
    paymentIntentId: Id.optional(),
  }),
  z.object({
    type: z.literal('checkout.expired'),
    eventId: Id,
    checkoutSessionId: Id,
    mode: Mode,
    sessionId: Id.optional(),
  }),
  z.object({
    type: z.literal('payment.succeeded'),
    eventId: Id,
    paymentIntentId: Id,
    amountYen: Yen,
    sessionId: Id.optional(),
  }),
  z.object({
    type: z.literal('payment.failed'),
    eventId: Id,
    paymentIntentId: Id,
    sessionId: Id.optional(),
    code: z.string().optional(),
    declineCode: z.string().optional(),
    message: z.string().optional(),
  }),
  z.object({
    type: z.literal('payment.action_required'),
    eventId: Id,
    paymentIntentId: Id,
    sessionId: Id.optional(),
  }),
  z.object({
    type: z.literal('refunded'),
    eventId: Id,
    paymentIntentId: Id,
    amountYen: Yen,
    sessionId: Id.optional(),
  }),
  z.object({ type: z.literal('dispute.opened'), eventId: Id, paymentIntentId: Id.optional(), amountYen: Yen }),
  z.object({ type: z.literal('ignored'), eventId: Id, providerType: z.string() }),
]) satisfies z.ZodType<PaymentEvent>;

/**
 * Deliveries whose body is a PaymentEvent as JSON, signed `t=<unix>,v1=<hex hmac of "t.body">`
 * like the real provider, so handler tests exercise rejection paths without the provider's SDK.
 */
export class MemoryPaymentEvents implements PaymentEvents {
  constructor(
    private readonly secret = 'whsec_memory',
    private readonly now: () => Date = () => new Date(),
    private readonly toleranceSec = 300,
  ) {}

  sign(event: PaymentEvent, at: Date = this.now()): { rawBody: string; signature: string } {
    const rawBody = JSON.stringify(event);
    const t = Math.floor(at.getTime() / 1000);
    return { rawBody, signature: `t=${t},v1=${this.hmac(`${t}.${rawBody}`)}` };
  }

  verify(
    rawBody: string,
    signatureHeader: string | undefined,
  ): { ok: true; event: PaymentEvent } | { ok: false; error: WebhookRejection } {
    const parts = new Map(
      (signatureHeader ?? '').split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
    );
    const t = Number(parts.get('t'));
    const v1 = parts.get('v1') ?? '';
    if (!Number.isInteger(t) || !this.matches(v1, this.hmac(`${t}.${rawBody}`))) {
      return { ok: false, error: { reason: 'signature', message: 'signature does not match' } };
    }
    if (Math.abs(this.now().getTime() / 1000 - t) > this.toleranceSec) {
      return { ok: false, error: { reason: 'timestamp', message: 'timestamp outside the tolerance' } };
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return { ok: false, error: { reason: 'payload', message: 'body is not JSON' } };
    }
    const parsed = PaymentEventSchema.safeParse(json);
    if (!parsed.success) return { ok: false, error: { reason: 'payload', message: parsed.error.message } };
    return { ok: true, event: parsed.data };
  }

  private hmac(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('hex');
  }

  private matches(given: string, expected: string): boolean {
    const a = Buffer.from(given);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
