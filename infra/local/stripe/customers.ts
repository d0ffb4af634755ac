/** Customers: create, retrieve, update (default payment method), list, list payment methods. */
import type Stripe from 'stripe';
import { z } from 'zod';
import { type Ctx, ok, type Reply, type Route } from './context.js';
import { invalidRequest, notFound } from './errors.js';
import { expand } from './expand.js';
import type { FormObject } from './form.js';
import { newId } from './ids.js';
import { paginate } from './list.js';
import { inRange, mergeMetadata, parseParams, zExpand, zList, zMetadata, zRange } from './params.js';
import { attachToCustomer, listPaymentMethods, resolvePaymentMethod } from './payment-methods.js';

const fields = {
  email: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  phone: z.string().optional(),
  metadata: zMetadata.optional(),
  invoice_settings: z.object({ default_payment_method: z.string().optional() }).strict().optional(),
  expand: zExpand.optional(),
};
const createSchema = z.object({ ...fields, payment_method: z.string().optional() }).strict();
const updateSchema = z.object(fields).strict();
const listSchema = z.object({ ...zList, email: z.string().optional(), created: zRange.optional() }).strict();
const expandOnly = z.object({ expand: zExpand.optional() }).strict();

function defaultPaymentMethod(ctx: Ctx, customerId: string, pmId: string | undefined): string | null | undefined {
  if (pmId === undefined) return undefined;
  if (pmId === '') return null;
  const pm = ctx.tx.get('payment_method', pmId);
  if (!pm) throw notFound('PaymentMethod', pmId, 'invoice_settings[default_payment_method]');
  if (pm.customer !== customerId) {
    throw invalidRequest(
      `The customer does not have a payment method with the ID ${pmId}. The payment method must be attached to the customer.`,
      'invoice_settings[default_payment_method]',
      'resource_missing',
    );
  }
  return pmId;
}

function create(ctx: Ctx, raw: FormObject): Reply {
  const p = parseParams(createSchema, raw);
  const customer: Stripe.Customer = {
    id: newId('cus'),
    object: 'customer',
    address: null,
    balance: 0,
    created: ctx.now,
    currency: null,
    default_source: null,
    delinquent: false,
    description: p.description ?? null,
    email: p.email ?? null,
    invoice_prefix: newId('x').slice(2, 10).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: mergeMetadata(null, p.metadata),
    name: p.name ?? null,
    next_invoice_sequence: 1,
    phone: p.phone ?? null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
  ctx.tx.put('customer', customer);
  ctx.emit('customer.created', customer);
  if (p.payment_method) attachToCustomer(ctx, resolvePaymentMethod(ctx, p.payment_method), customer.id);
  const dpm = defaultPaymentMethod(ctx, customer.id, p.invoice_settings?.default_payment_method);
  if (dpm !== undefined) {
    customer.invoice_settings = { ...customer.invoice_settings, default_payment_method: dpm };
    ctx.tx.put('customer', customer);
  }
  return ok(expand(ctx.tx, customer, p.expand));
}

function mustGet(ctx: Ctx, id: string): Stripe.Customer {
  const c = ctx.tx.get('customer', id);
  if (!c) throw notFound('customer', id);
  return c;
}

function update(ctx: Ctx, raw: FormObject, ids: string[]): Reply {
  const p = parseParams(updateSchema, raw);
  const before = mustGet(ctx, ids[0] ?? '');
  const dpm = defaultPaymentMethod(ctx, before.id, p.invoice_settings?.default_payment_method);
  const after: Stripe.Customer = {
    ...before,
    ...(p.email !== undefined ? { email: p.email || null } : {}),
    ...(p.name !== undefined ? { name: p.name || null } : {}),
    ...(p.description !== undefined ? { description: p.description || null } : {}),
    ...(p.phone !== undefined ? { phone: p.phone || null } : {}),
    metadata: mergeMetadata(before.metadata, p.metadata),
    invoice_settings:
      dpm === undefined ? before.invoice_settings : { ...before.invoice_settings, default_payment_method: dpm },
  };
  ctx.tx.put('customer', after);
  ctx.emit('customer.updated', after);
  return ok(expand(ctx.tx, after, p.expand));
}

function list(ctx: Ctx, raw: FormObject): Reply {
  const p = parseParams(listSchema, raw);
  const items = ctx.tx
    .all('customer')
    .filter((c) => (p.email === undefined ? true : c.email === p.email))
    .filter((c) => inRange(c.created, p.created));
  return ok(expand(ctx.tx, paginate(items, p, '/v1/customers', 'customer'), p.expand));
}

export const customerRoutes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/customers$/, handle: create },
  { method: 'GET', pattern: /^\/v1\/customers$/, handle: list },
  {
    method: 'GET',
    pattern: /^\/v1\/customers\/([^/]+)\/payment_methods$/,
    handle: (ctx, raw, ids) =>
      listPaymentMethods(ctx, raw, mustGet(ctx, ids[0] ?? '').id, `/v1/customers/${ids[0]}/payment_methods`),
  },
  {
    method: 'GET',
    pattern: /^\/v1\/customers\/([^/]+)$/,
    handle: (ctx, raw, ids) => ok(expand(ctx.tx, mustGet(ctx, ids[0] ?? ''), parseParams(expandOnly, raw).expand)),
  },
  { method: 'POST', pattern: /^\/v1\/customers\/([^/]+)$/, handle: update },
];
