/** PaymentIntents: create (incl. off_session + confirm), confirm, capture, cancel, update, retrieve, list. */
import type Stripe from 'stripe';
import { z } from 'zod';
import { type Ctx, ok, type Reply, type Route } from './context.js';
import { amountTooSmall, invalidRequest, notFound, unexpectedState } from './errors.js';
import { expand } from './expand.js';
import type { FormObject } from './form.js';
import { paginate } from './list.js';
import { inRange, mergeMetadata, parseParams, zBool, zExpand, zInt, zList, zMetadata, zRange } from './params.js';
import { type AttemptResult, buildPaymentIntent, confirmPayment } from './payment-attempt.js';
import { resolvePaymentMethod } from './payment-methods.js';

/** Smallest chargeable amount per currency (JPY is zero-decimal: ¥50; others 50 minor units). */
const MINIMUM: Record<string, number> = { jpy: 50, usd: 50, eur: 50 };
const zOffSession = z.union([zBool, z.enum(['one_off', 'recurring'])]);

const createSchema = z
  .object({
    amount: zInt,
    currency: z.string().regex(/^[a-z]{3}$/),
    customer: z.string().optional(),
    payment_method: z.string().optional(),
    payment_method_types: z.array(z.string()).optional(),
    allowed_payment_method_types: z.array(z.string()).optional(),
    automatic_payment_methods: z
      .object({ enabled: zBool, allow_redirects: z.enum(['always', 'never']).optional() })
      .strict()
      .optional(),
    confirm: zBool.optional(),
    off_session: zOffSession.optional(),
    error_on_requires_action: zBool.optional(),
    return_url: z.string().optional(),
    capture_method: z.enum(['automatic', 'automatic_async', 'manual']).optional(),
    setup_future_usage: z.enum(['on_session', 'off_session']).optional(),
    metadata: zMetadata.optional(),
    description: z.string().optional(),
    receipt_email: z.string().optional(),
    statement_descriptor_suffix: z.string().optional(),
    expand: zExpand.optional(),
  })
  .strict();
const confirmSchema = z
  .object({
    payment_method: z.string().optional(),
    off_session: zOffSession.optional(),
    return_url: z.string().optional(),
    error_on_requires_action: zBool.optional(),
    expand: zExpand.optional(),
  })
  .strict();
const captureSchema = z.object({ amount_to_capture: zInt.optional(), expand: zExpand.optional() }).strict();
const cancelSchema = z
  .object({
    cancellation_reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned']).optional(),
    expand: zExpand.optional(),
  })
  .strict();
const updateSchema = z
  .object({ metadata: zMetadata.optional(), description: z.string().optional(), expand: zExpand.optional() })
  .strict();
const listSchema = z.object({ ...zList, customer: z.string().optional(), created: zRange.optional() }).strict();
const expandOnly = z.object({ expand: zExpand.optional() }).strict();

export function checkAmount(amount: number, currency: string): void {
  if (amount < 1)
    throw invalidRequest('This value must be greater than or equal to 1.', 'amount', 'parameter_invalid_integer');
  if (amount < (MINIMUM[currency] ?? 50)) throw amountTooSmall(currency);
  if (amount > 99_999_999) throw invalidRequest('Amount must be no more than 99,999,999', 'amount', 'amount_too_large');
}

function reply(ctx: Ctx, r: AttemptResult, paths: string[] | undefined): Reply {
  return r.error ? { status: 402, body: { error: r.error } } : ok(expand(ctx.tx, r.pi, paths));
}

function mustGet(ctx: Ctx, id: string): Stripe.PaymentIntent {
  const pi = ctx.tx.get('payment_intent', id);
  if (!pi) throw notFound('payment_intent', id);
  return pi;
}

function create(ctx: Ctx, raw: FormObject): Reply {
  const p = parseParams(createSchema, raw);
  checkAmount(p.amount, p.currency);
  if (p.off_session !== undefined && p.confirm !== true) {
    throw invalidRequest('off_session can only be used when confirm=true.', 'off_session');
  }
  if (p.customer && !ctx.tx.get('customer', p.customer)) throw notFound('customer', p.customer, 'customer');
  const pm = p.payment_method ? resolvePaymentMethod(ctx, p.payment_method) : undefined;
  if (pm?.customer && pm.customer !== p.customer) {
    throw invalidRequest(
      'The provided PaymentMethod belongs to a Customer, please provide the customer.',
      'payment_method',
    );
  }
  const pi = buildPaymentIntent(ctx, {
    amount: p.amount,
    currency: p.currency,
    customer: p.customer ?? null,
    paymentMethod: pm?.id ?? null,
    metadata: mergeMetadata(null, p.metadata),
    description: p.description ?? null,
    captureMethod: p.capture_method ?? 'automatic_async',
    paymentMethodTypes: p.allowed_payment_method_types ?? p.payment_method_types ?? ['card'],
    allowedPaymentMethodTypes: p.allowed_payment_method_types ?? null,
    setupFutureUsage: p.setup_future_usage ?? null,
    receiptEmail: p.receipt_email ?? null,
  });
  ctx.tx.put('payment_intent', pi);
  ctx.emit('payment_intent.created', pi);
  if (!p.confirm) return ok(expand(ctx.tx, pi, p.expand));
  const offSession = p.off_session !== undefined && p.off_session !== false;
  return reply(
    ctx,
    confirmPayment(ctx, pi, { offSession, authenticated: false, returnUrl: p.return_url ?? null }),
    p.expand,
  );
}

function confirm(ctx: Ctx, raw: FormObject, ids: string[]): Reply {
  const p = parseParams(confirmSchema, raw);
  const pi = mustGet(ctx, ids[0] ?? '');
  if (
    pi.status === 'succeeded' ||
    pi.status === 'canceled' ||
    pi.status === 'processing' ||
    pi.status === 'requires_capture'
  ) {
    throw unexpectedState(
      `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be confirmed: requires_confirmation, requires_action, requires_payment_method.`,
    );
  }
  const withPm: Stripe.PaymentIntent = p.payment_method
    ? { ...pi, payment_method: resolvePaymentMethod(ctx, p.payment_method).id }
    : pi;
  const offSession = p.off_session !== undefined && p.off_session !== false;
  const r = confirmPayment(ctx, withPm, { offSession, authenticated: false, returnUrl: p.return_url ?? null });
  return reply(ctx, r, p.expand);
}

function capture(ctx: Ctx, raw: FormObject, ids: string[]): Reply {
  const p = parseParams(captureSchema, raw);
  const pi = mustGet(ctx, ids[0] ?? '');
  if (pi.status !== 'requires_capture') {
    throw unexpectedState(
      `This PaymentIntent could not be captured because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
    );
  }
  const amount = p.amount_to_capture ?? pi.amount_capturable;
  if (amount > pi.amount_capturable)
    throw invalidRequest('Amount to capture exceeds the capturable amount.', 'amount_to_capture');
  const chargeId = typeof pi.latest_charge === 'string' ? pi.latest_charge : '';
  const charge = ctx.tx.get('charge', chargeId);
  if (charge) ctx.tx.put('charge', { ...charge, captured: true, amount_captured: amount });
  const done: Stripe.PaymentIntent = { ...pi, status: 'succeeded', amount_received: amount, amount_capturable: 0 };
  ctx.tx.put('payment_intent', done);
  ctx.emit('payment_intent.succeeded', done);
  return ok(expand(ctx.tx, done, p.expand));
}

function cancel(ctx: Ctx, raw: FormObject, ids: string[]): Reply {
  const p = parseParams(cancelSchema, raw);
  const pi = mustGet(ctx, ids[0] ?? '');
  if (pi.status === 'succeeded' || pi.status === 'canceled' || pi.status === 'processing') {
    throw unexpectedState(
      `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one of the following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action.`,
    );
  }
  const done: Stripe.PaymentIntent = {
    ...pi,
    status: 'canceled',
    canceled_at: ctx.now,
    cancellation_reason: p.cancellation_reason ?? null,
    amount_capturable: 0,
    next_action: null,
  };
  ctx.tx.put('payment_intent', done);
  ctx.emit('payment_intent.canceled', done);
  return ok(expand(ctx.tx, done, p.expand));
}

function update(ctx: Ctx, raw: FormObject, ids: string[]): Reply {
  const p = parseParams(updateSchema, raw);
  const pi = mustGet(ctx, ids[0] ?? '');
  const done: Stripe.PaymentIntent = {
    ...pi,
    metadata: mergeMetadata(pi.metadata, p.metadata),
    description: p.description ?? pi.description,
  };
  ctx.tx.put('payment_intent', done);
  return ok(expand(ctx.tx, done, p.expand));
}

function list(ctx: Ctx, raw: FormObject): Reply {
  const p = parseParams(listSchema, raw);
  const items = ctx.tx
    .all('payment_intent')
    .filter((pi) => (p.customer === undefined ? true : pi.customer === p.customer))
    .filter((pi) => inRange(pi.created, p.created));
  return ok(expand(ctx.tx, paginate(items, p, '/v1/payment_intents', 'payment_intent'), p.expand));
}

export const paymentIntentRoutes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/payment_intents$/, handle: create },
  { method: 'GET', pattern: /^\/v1\/payment_intents$/, handle: list },
  { method: 'POST', pattern: /^\/v1\/payment_intents\/([^/]+)\/confirm$/, handle: confirm },
  { method: 'POST', pattern: /^\/v1\/payment_intents\/([^/]+)\/capture$/, handle: capture },
  { method: 'POST', pattern: /^\/v1\/payment_intents\/([^/]+)\/cancel$/, handle: cancel },
  {
    method: 'GET',
    pattern: /^\/v1\/payment_intents\/([^/]+)$/,
    handle: (ctx, raw, ids) => ok(expand(ctx.tx, mustGet(ctx, ids[0] ?? ''), parseParams(expandOnly, raw).expand)),
  },
  { method: 'POST', pattern: /^\/v1\/payment_intents\/([^/]+)$/, handle: update },
];
