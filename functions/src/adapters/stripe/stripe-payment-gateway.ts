/**
 * PaymentGateway over the official Stripe SDK (JPY, zero-decimal). Every creating call carries a
 * deterministic Idempotency-Key, which the SDK also reuses on its own retries, so a crash-and-retry
 * replays the first result instead of charging twice.
 */
import type Stripe from 'stripe';
import type {
  ChargeOutcome,
  CheckoutLinkResult,
  OffSessionCharge,
  PaymentGateway,
  PaymentIntentStatus,
  PaymentIntentView,
  SavedCard,
} from '../../ports/payment-gateway.port.js';
import { chargeOutcomeOf, StripeGatewayError, unexpected } from './stripe-errors.js';

export const MINIMUM_CHARGE_YEN = 50;
const PAGE = 100;
const SETUP_FUTURE_USAGE = ['on_session', 'off_session'] as const;

const iso = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString();
const idOf = (v: string | { id: string } | null | undefined): string | undefined =>
  v == null ? undefined : typeof v === 'string' ? v : v.id;

/** Brand and last4 only when the payment method was expanded; a bare id says which card, not what it is. */
function cardOf(pm: string | Stripe.PaymentMethod | null): SavedCard | undefined {
  if (pm == null) return undefined;
  if (typeof pm === 'string') return { paymentMethodId: pm };
  return {
    paymentMethodId: pm.id,
    ...(pm.card?.brand ? { brand: pm.card.brand } : {}),
    ...(pm.card?.last4 ? { last4: pm.card.last4 } : {}),
  };
}

function view(pi: Stripe.PaymentIntent): PaymentIntentView {
  const customerId = idOf(pi.customer);
  const sessionId = pi.metadata.sessionId;
  const card = cardOf(pi.payment_method);
  const setupFutureUsage = SETUP_FUTURE_USAGE.find((u) => u === pi.setup_future_usage);
  return {
    id: pi.id,
    status: pi.status as PaymentIntentStatus,
    amountYen: pi.amount,
    created: iso(pi.created),
    ...(customerId ? { customerId } : {}),
    ...(sessionId ? { sessionId } : {}),
    ...(card ? { card } : {}),
    ...(setupFutureUsage ? { setupFutureUsage } : {}),
  };
}

function outcomeOf(pi: Stripe.PaymentIntent): ChargeOutcome {
  switch (pi.status) {
    case 'succeeded':
      return { kind: 'succeeded', paymentIntentId: pi.id };
    case 'processing':
    case 'requires_capture':
      return { kind: 'processing', paymentIntentId: pi.id };
    case 'requires_action':
    case 'requires_confirmation':
      return { kind: 'action_required', paymentIntentId: pi.id };
    default: {
      const e = pi.last_payment_error;
      return {
        kind: 'declined',
        paymentIntentId: pi.id,
        code: e?.code ?? pi.status,
        ...(e?.decline_code ? { declineCode: e.decline_code } : {}),
        message: e?.message ?? `payment intent is ${pi.status}`,
      };
    }
  }
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw unexpected(e);
  }
}

export class StripePaymentGateway implements PaymentGateway {
  constructor(private readonly stripe: Stripe) {}

  async ensureCustomer(input: { driverId: string; email?: string }): Promise<{ customerId: string }> {
    const customer = await call(() =>
      this.stripe.customers.create(
        { ...(input.email ? { email: input.email } : {}), metadata: { driverId: input.driverId } },
        { idempotencyKey: `customer:${input.driverId}` },
      ),
    );
    return { customerId: customer.id };
  }

  async createSetupCheckout(input: {
    customerId: string;
    sessionId: string;
    successUrl: string;
    cancelUrl: string;
  }): Promise<CheckoutLinkResult> {
    const s = await call(() =>
      this.stripe.checkout.sessions.create(
        {
          mode: 'setup',
          customer: input.customerId,
          currency: 'jpy',
          allowed_payment_method_types: ['card'],
          client_reference_id: input.sessionId,
          metadata: { sessionId: input.sessionId },
          setup_intent_data: { metadata: { sessionId: input.sessionId } },
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
        },
        { idempotencyKey: `checkout-setup:${input.sessionId}` },
      ),
    );
    if (!s.url) throw new StripeGatewayError('STRIPE.CHECKOUT_WITHOUT_URL', `checkout session ${s.id} has no url`);
    return { checkoutSessionId: s.id, url: s.url };
  }

  async savedCardOf(checkoutSessionId: string): Promise<SavedCard> {
    const s = await call(() =>
      this.stripe.checkout.sessions.retrieve(checkoutSessionId, { expand: ['setup_intent.payment_method'] }),
    );
    const si = typeof s.setup_intent === 'object' ? s.setup_intent : null;
    const pm = si && typeof si.payment_method === 'object' ? si.payment_method : null;
    if (s.status !== 'complete' || !si || si.status !== 'succeeded' || !pm) {
      throw new StripeGatewayError('STRIPE.NO_SAVED_CARD', `checkout session ${checkoutSessionId} saved no card`);
    }
    return {
      paymentMethodId: pm.id,
      ...(pm.card?.brand ? { brand: pm.card.brand } : {}),
      ...(pm.card?.last4 ? { last4: pm.card.last4 } : {}),
    };
  }

  async setDefaultPaymentMethod(customerId: string, paymentMethodId: string): Promise<void> {
    await call(() =>
      this.stripe.customers.update(customerId, { invoice_settings: { default_payment_method: paymentMethodId } }),
    );
  }

  async chargeOffSession(input: OffSessionCharge): Promise<ChargeOutcome> {
    if (!Number.isInteger(input.amountYen) || input.amountYen < MINIMUM_CHARGE_YEN) return { kind: 'amount_too_small' };
    try {
      const pi = await this.stripe.paymentIntents.create(
        {
          amount: input.amountYen,
          currency: 'jpy',
          customer: input.customerId,
          payment_method: input.paymentMethodId,
          allowed_payment_method_types: ['card'],
          off_session: true,
          confirm: true,
          description: `EV charging session ${input.sessionId}`,
          metadata: { sessionId: input.sessionId, attempt: String(input.attempt) },
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return outcomeOf(pi);
    } catch (e) {
      return chargeOutcomeOf(e);
    }
  }

  async createPaymentCheckout(input: {
    customerId: string;
    sessionId: string;
    amountYen: number;
    successUrl: string;
    cancelUrl: string;
  }): Promise<CheckoutLinkResult> {
    const s = await call(() =>
      this.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          customer: input.customerId,
          allowed_payment_method_types: ['card'],
          client_reference_id: input.sessionId,
          metadata: { sessionId: input.sessionId },
          // Saves the card that pays: the card on file just failed, and the next charge must not use it again.
          payment_intent_data: { metadata: { sessionId: input.sessionId }, setup_future_usage: 'off_session' },
          line_items: [
            {
              quantity: 1,
              price_data: { currency: 'jpy', unit_amount: input.amountYen, product_data: { name: 'EV charging' } },
            },
          ],
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
        },
        // A new key prefix since the Checkout saves the card: a key replayed with other parameters is an
        // idempotency_error for 24 h, which would lock out a driver who opened the page before a deploy.
        { idempotencyKey: `checkout-payment-save:${input.sessionId}:${input.amountYen}` },
      ),
    );
    if (!s.url) throw new StripeGatewayError('STRIPE.CHECKOUT_WITHOUT_URL', `checkout session ${s.id} has no url`);
    return { checkoutSessionId: s.id, url: s.url };
  }

  async refund(input: {
    paymentIntentId: string;
    amountYen?: number;
    idempotencyKey: string;
  }): Promise<{ refundId: string }> {
    const r = await call(() =>
      this.stripe.refunds.create(
        {
          payment_intent: input.paymentIntentId,
          ...(input.amountYen !== undefined ? { amount: input.amountYen } : {}),
        },
        { idempotencyKey: input.idempotencyKey },
      ),
    );
    return { refundId: r.id };
  }

  async retrievePaymentIntent(id: string): Promise<PaymentIntentView | undefined> {
    try {
      return view(await this.stripe.paymentIntents.retrieve(id, { expand: ['payment_method'] }));
    } catch (e) {
      if (e instanceof Error && 'code' in e && e.code === 'resource_missing') return undefined;
      throw unexpected(e);
    }
  }

  async listPaymentIntents(input: {
    customerId?: string;
    createdAfter?: string;
    limit: number;
  }): Promise<PaymentIntentView[]> {
    const out: PaymentIntentView[] = [];
    const created = input.createdAfter ? { gt: Math.floor(Date.parse(input.createdAfter) / 1000) } : undefined;
    let startingAfter: string | undefined;
    while (out.length < input.limit) {
      const page = await call(() =>
        this.stripe.paymentIntents.list({
          limit: Math.min(PAGE, input.limit - out.length),
          ...(input.customerId ? { customer: input.customerId } : {}),
          ...(created ? { created } : {}),
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        }),
      );
      out.push(...page.data.map(view));
      const last = page.data.at(-1);
      if (!page.has_more || !last) break;
      startingAfter = last.id;
    }
    return out;
  }
}
