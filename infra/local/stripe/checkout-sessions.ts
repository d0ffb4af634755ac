/** Checkout Sessions (setup and payment modes): create, retrieve, list, expire; completion by the hosted page. */
import type Stripe from 'stripe';
import { z } from 'zod';
import { type Ctx, ok, type Reply, type Route } from './context.js';
import { amountTooSmall, invalidRequest, notFound } from './errors.js';
import { expand } from './expand.js';
import type { FormObject } from './form.js';
import { newId } from './ids.js';
import { paginate } from './list.js';
import { mergeMetadata, parseParams, zExpand, zInt, zList, zMetadata } from './params.js';
import { buildSetupIntent } from './setup-intents.js';

const lineItem = z
  .object({
    quantity: zInt,
    price_data: z
      .object({
        currency: z.string(),
        unit_amount: zInt,
        product_data: z.object({ name: z.string(), description: z.string().optional() }).strict(),
      })
      .strict(),
  })
  .strict();
const createSchema = z
  .object({
    mode: z.enum(['setup', 'payment']),
    customer: z.string().optional(),
    customer_email: z.string().optional(),
    currency: z.string().optional(),
    client_reference_id: z.string().optional(),
    success_url: z.string().optional(),
    cancel_url: z.string().optional(),
    metadata: zMetadata.optional(),
    payment_method_types: z.array(z.string()).optional(),
    allowed_payment_method_types: z.array(z.string()).optional(),
    line_items: z.array(lineItem).optional(),
    payment_intent_data: z
      .object({
        metadata: zMetadata.optional(),
        description: z.string().optional(),
        setup_future_usage: z.enum(['on_session', 'off_session']).optional(),
      })
      .strict()
      .optional(),
    setup_intent_data: z
      .object({ metadata: zMetadata.optional(), description: z.string().optional() })
      .strict()
      .optional(),
    expires_at: zInt.optional(),
    locale: z.string().optional(),
    expand: zExpand.optional(),
  })
  .strict();
const listSchema = z
  .object({
    ...zList,
    customer: z.string().optional(),
    payment_intent: z.string().optional(),
    status: z.enum(['open', 'complete', 'expired']).optional(),
  })
  .strict();
const expandOnly = z.object({ expand: zExpand.optional() }).strict();

function create(ctx: Ctx, raw: FormObject): Reply {
  const p = parseParams(createSchema, raw);
  if (p.customer && !ctx.tx.get('customer', p.customer)) throw notFound('customer', p.customer, 'customer');
  if (p.customer && p.customer_email) {
    throw invalidRequest('You may only specify one of these parameters: customer, customer_email.', 'customer_email');
  }
  const expiresAt = p.expires_at ?? ctx.now + 86_400;
  if (p.expires_at !== undefined && (expiresAt < ctx.now + 1_800 || expiresAt > ctx.now + 86_400)) {
    throw invalidRequest('The `expires_at` timestamp must be between 30 minutes and 24 hours from now.', 'expires_at');
  }
  let amount: number | null = null;
  let currency = p.currency ?? null;
  if (p.mode === 'payment') {
    const items = p.line_items ?? [];
    if (items.length === 0)
      throw invalidRequest('line_items is required in payment mode.', 'line_items', 'parameter_missing');
    amount = items.reduce((sum, li) => sum + li.quantity * li.price_data.unit_amount, 0);
    currency = items[0]?.price_data.currency ?? 'jpy';
    if (amount < 50) throw amountTooSmall(currency);
  } else if (p.line_items) {
    throw invalidRequest('You cannot pass `line_items` in `setup` mode.', 'line_items');
  }
  const id = `cs_test_${newId('x').slice(2)}`;
  let setupIntentId: string | null = null;
  if (p.mode === 'setup') {
    const si = buildSetupIntent(ctx, {
      customer: p.customer ?? null,
      metadata: mergeMetadata(null, p.setup_intent_data?.metadata),
      usage: 'off_session',
      paymentMethod: null,
    });
    ctx.tx.put('setup_intent', si);
    setupIntentId = si.id;
  }
  const session: Stripe.Checkout.Session = {
    id,
    object: 'checkout.session',
    adaptive_pricing: null,
    after_expiration: null,
    allow_promotion_codes: null,
    allowed_payment_method_types: p.allowed_payment_method_types ?? null,
    amount_subtotal: amount,
    amount_total: amount,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: p.cancel_url ?? null,
    client_reference_id: p.client_reference_id ?? null,
    client_secret: null,
    collected_information: null,
    consent: null,
    consent_collection: null,
    created: ctx.now,
    currency,
    currency_conversion: null,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: p.customer ?? null,
    customer_account: null,
    customer_creation: p.customer ? null : 'if_required',
    customer_details: null,
    customer_email: p.customer_email ?? null,
    discounts: [],
    expires_at: expiresAt,
    integration_identifier: null,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: null,
    managed_payments: null,
    metadata: mergeMetadata(null, p.metadata),
    mode: p.mode,
    origin_context: null,
    payment_intent: null,
    payment_link: null,
    payment_method_collection: 'always',
    payment_method_configuration_details: null,
    payment_method_options: { card: { request_three_d_secure: 'automatic' } },
    payment_method_types: p.allowed_payment_method_types ?? p.payment_method_types ?? ['card'],
    payment_status: p.mode === 'setup' ? 'no_payment_required' : 'unpaid',
    permissions: null,
    recovered_from: null,
    saved_payment_method_options: null,
    setup_intent: setupIntentId,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'open',
    submit_type: null,
    subscription: null,
    success_url: p.success_url ?? null,
    total_details: amount === null ? null : { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: `${ctx.publicUrl}/c/pay/${id}`,
    wallet_options: null,
  };
  ctx.tx.put('checkout_session', session);
  ctx.tx.put('checkout_meta', {
    id,
    productName: p.line_items?.[0]?.price_data.product_data.name ?? 'Save a card for later payments',
    paymentIntentData: {
      metadata: mergeMetadata(null, p.payment_intent_data?.metadata),
      description: p.payment_intent_data?.description ?? null,
      setupFutureUsage: p.payment_intent_data?.setup_future_usage ?? null,
    },
  });
  return ok(expand(ctx.tx, session, p.expand));
}

export function mustGetSession(ctx: Ctx, id: string): Stripe.Checkout.Session {
  const s = ctx.tx.get('checkout_session', id);
  if (!s) throw notFound('checkout.session', id, 'session');
  return s;
}

export function expireSession(ctx: Ctx, session: Stripe.Checkout.Session): Stripe.Checkout.Session {
  if (session.status !== 'open') {
    throw invalidRequest(
      `Only Checkout Sessions with a status of \`open\` can be expired. This Checkout Session has a status of \`${session.status}\`.`,
    );
  }
  const expired: Stripe.Checkout.Session = { ...session, status: 'expired', url: null };
  ctx.tx.put('checkout_session', expired);
  ctx.emit('checkout.session.expired', expired);
  return expired;
}

/** Expires open sessions past `expires_at` (the emulator's sweeper calls this). */
export function expireDueSessions(ctx: Ctx): number {
  const due = ctx.tx.all('checkout_session').filter((s) => s.status === 'open' && s.expires_at <= ctx.now);
  for (const s of due) expireSession(ctx, s);
  return due.length;
}

export function completeSession(
  ctx: Ctx,
  session: Stripe.Checkout.Session,
  email: string | null,
): Stripe.Checkout.Session {
  const customer = typeof session.customer === 'string' ? ctx.tx.get('customer', session.customer) : undefined;
  const done: Stripe.Checkout.Session = {
    ...session,
    status: 'complete',
    payment_status: session.mode === 'setup' ? 'no_payment_required' : 'paid',
    url: null,
    customer_details: {
      address: null,
      business_name: null,
      email: customer?.email ?? email,
      individual_name: null,
      name: customer?.name ?? null,
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    },
  };
  ctx.tx.put('checkout_session', done);
  ctx.emit('checkout.session.completed', done);
  return done;
}

function list(ctx: Ctx, raw: FormObject): Reply {
  const p = parseParams(listSchema, raw);
  const items = ctx.tx
    .all('checkout_session')
    .filter((s) => (p.customer === undefined ? true : s.customer === p.customer))
    .filter((s) => (p.payment_intent === undefined ? true : s.payment_intent === p.payment_intent))
    .filter((s) => (p.status === undefined ? true : s.status === p.status));
  return ok(expand(ctx.tx, paginate(items, p, '/v1/checkout/sessions', 'checkout.session'), p.expand));
}

export const checkoutSessionRoutes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/checkout\/sessions$/, handle: create },
  { method: 'GET', pattern: /^\/v1\/checkout\/sessions$/, handle: list },
  {
    method: 'POST',
    pattern: /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/,
    handle: (ctx, raw, ids) =>
      ok(expand(ctx.tx, expireSession(ctx, mustGetSession(ctx, ids[0] ?? '')), parseParams(expandOnly, raw).expand)),
  },
  {
    method: 'GET',
    pattern: /^\/v1\/checkout\/sessions\/([^/]+)$/,
    handle: (ctx, raw, ids) =>
      ok(expand(ctx.tx, mustGetSession(ctx, ids[0] ?? ''), parseParams(expandOnly, raw).expand)),
  },
];
