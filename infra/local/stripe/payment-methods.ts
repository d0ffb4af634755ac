/** PaymentMethods (cards only): created by the hosted pages or from `pm_card_*` test ids; attach, detach, list. */
import type Stripe from 'stripe';
import { z } from 'zod';
import { cardFacts, TEST_PAYMENT_METHODS } from './cards.js';
import { type Ctx, ok, type Reply, type Route } from './context.js';
import { invalidRequest, notFound } from './errors.js';
import { expand } from './expand.js';
import type { FormObject } from './form.js';
import { newId } from './ids.js';
import { paginate } from './list.js';
import { parseParams, zExpand, zList } from './params.js';

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  name?: string | undefined;
}

/** undefined when the number is not a valid card number. */
export function createCardPaymentMethod(ctx: Ctx, card: CardInput): Stripe.PaymentMethod | undefined {
  const facts = cardFacts(card.number);
  if (!facts) return undefined;
  const pm: Stripe.PaymentMethod = {
    id: newId('pm'),
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: null, email: null, name: card.name ?? null, phone: null, tax_id: null },
    card: {
      brand: facts.brand,
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'JP',
      display_brand: facts.brand,
      exp_month: card.expMonth,
      exp_year: card.expYear,
      fingerprint: facts.fingerprint,
      funding: 'credit',
      generated_from: null,
      last4: facts.last4,
      networks: { available: [facts.brand], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: ctx.now,
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
  ctx.tx.put('payment_method', pm);
  ctx.tx.put('pm_meta', { id: pm.id, behaviour: facts.behaviour, setupAuthenticated: false });
  return pm;
}

/** A real pm_… id, or a `pm_card_*` test id that stands for a fresh PaymentMethod. */
export function resolvePaymentMethod(ctx: Ctx, id: string, param = 'payment_method'): Stripe.PaymentMethod {
  const alias = TEST_PAYMENT_METHODS[id];
  if (alias) {
    const pm = createCardPaymentMethod(ctx, { number: alias, expMonth: 12, expYear: new Date().getUTCFullYear() + 3 });
    if (pm) return pm;
  }
  const pm = ctx.tx.get('payment_method', id);
  if (!pm) throw notFound('PaymentMethod', id, param);
  return pm;
}

export function attachToCustomer(ctx: Ctx, pm: Stripe.PaymentMethod, customerId: string): Stripe.PaymentMethod {
  if (pm.customer === customerId) return pm;
  if (pm.customer) {
    throw invalidRequest(
      'The payment method you provided has already been attached to a customer.',
      'payment_method',
      'payment_method_already_attached',
    );
  }
  const attached: Stripe.PaymentMethod = { ...pm, customer: customerId };
  ctx.tx.put('payment_method', attached);
  ctx.emit('payment_method.attached', attached);
  return attached;
}

const attachSchema = z.object({ customer: z.string(), expand: zExpand.optional() }).strict();
const expandOnly = z.object({ expand: zExpand.optional() }).strict();
const listSchema = z.object({ ...zList, customer: z.string().optional(), type: z.string().optional() }).strict();

function attach(ctx: Ctx, raw: FormObject, ids: string[]): Reply {
  const p = parseParams(attachSchema, raw);
  if (!ctx.tx.get('customer', p.customer)) throw notFound('customer', p.customer, 'customer');
  const pm = resolvePaymentMethod(ctx, ids[0] ?? '', 'payment_method');
  return ok(expand(ctx.tx, attachToCustomer(ctx, pm, p.customer), p.expand));
}

function detach(ctx: Ctx, raw: FormObject, ids: string[]): Reply {
  const p = parseParams(expandOnly, raw);
  const id = ids[0] ?? '';
  const pm = ctx.tx.get('payment_method', id);
  if (!pm) throw notFound('PaymentMethod', id);
  if (!pm.customer)
    throw invalidRequest('The payment method you provided is not attached to a customer so detachment is impossible.');
  const detached: Stripe.PaymentMethod = { ...pm, customer: null };
  ctx.tx.put('payment_method', detached);
  ctx.emit('payment_method.detached', detached);
  return ok(expand(ctx.tx, detached, p.expand));
}

function retrieve(ctx: Ctx, raw: FormObject, ids: string[]): Reply {
  const p = parseParams(expandOnly, raw);
  const pm = ctx.tx.get('payment_method', ids[0] ?? '');
  if (!pm) throw notFound('PaymentMethod', ids[0] ?? '');
  return ok(expand(ctx.tx, pm, p.expand));
}

export function listPaymentMethods(ctx: Ctx, raw: FormObject, customer: string | undefined, url: string): Reply {
  const p = parseParams(listSchema, raw);
  const owner = customer ?? p.customer;
  if (owner && !ctx.tx.get('customer', owner)) throw notFound('customer', owner, 'customer');
  const items = ctx.tx
    .all('payment_method')
    .filter((pm) => pm.customer === owner && (p.type === undefined || pm.type === p.type));
  return ok(expand(ctx.tx, paginate(items, p, url, 'payment_method'), p.expand));
}

export const paymentMethodRoutes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/payment_methods\/([^/]+)\/attach$/, handle: attach },
  { method: 'POST', pattern: /^\/v1\/payment_methods\/([^/]+)\/detach$/, handle: detach },
  { method: 'GET', pattern: /^\/v1\/payment_methods\/([^/]+)$/, handle: retrieve },
  {
    method: 'GET',
    pattern: /^\/v1\/payment_methods$/,
    handle: (ctx, raw) => listPaymentMethods(ctx, raw, undefined, '/v1/payment_methods'),
  },
];
