/** Refunds: full or partial, by payment_intent or charge; succeed at once and emit charge.refunded. */
import type Stripe from 'stripe';
import { z } from 'zod';
import { type Ctx, ok, type Reply, type Route } from './context.js';
import { invalidRequest, notFound } from './errors.js';
import { expand } from './expand.js';
import type { FormObject } from './form.js';
import { newId } from './ids.js';
import { paginate } from './list.js';
import { inRange, mergeMetadata, parseParams, zExpand, zInt, zList, zMetadata, zRange } from './params.js';

const createSchema = z
  .object({
    payment_intent: z.string().optional(),
    charge: z.string().optional(),
    amount: zInt.optional(),
    reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).optional(),
    metadata: zMetadata.optional(),
    expand: zExpand.optional(),
  })
  .strict();
const listSchema = z
  .object({
    ...zList,
    payment_intent: z.string().optional(),
    charge: z.string().optional(),
    created: zRange.optional(),
  })
  .strict();
const expandOnly = z.object({ expand: zExpand.optional() }).strict();

function chargeFor(ctx: Ctx, p: z.output<typeof createSchema>): Stripe.Charge {
  if (p.charge) {
    const charge = ctx.tx.get('charge', p.charge);
    if (!charge) throw notFound('charge', p.charge, 'charge');
    return charge;
  }
  if (!p.payment_intent)
    throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.');
  const pi = ctx.tx.get('payment_intent', p.payment_intent);
  if (!pi) throw notFound('payment_intent', p.payment_intent, 'payment_intent');
  const charge = typeof pi.latest_charge === 'string' ? ctx.tx.get('charge', pi.latest_charge) : undefined;
  if (pi.status !== 'succeeded' || !charge) {
    throw invalidRequest(
      `This PaymentIntent (${pi.id}) does not have a successful charge to refund.`,
      'payment_intent',
      'charge_not_refundable',
    );
  }
  return charge;
}

function create(ctx: Ctx, raw: FormObject): Reply {
  const p = parseParams(createSchema, raw);
  const charge = chargeFor(ctx, p);
  const remaining = charge.amount_captured - charge.amount_refunded;
  if (remaining <= 0) {
    throw invalidRequest(`Charge ${charge.id} has already been refunded.`, undefined, 'charge_already_refunded');
  }
  const amount = p.amount ?? remaining;
  if (amount < 1 || amount > remaining) {
    throw invalidRequest(
      `Refund amount (¥${amount}) is greater than unrefunded amount on charge (¥${remaining})`,
      'amount',
      'amount_too_large',
    );
  }
  const refund: Stripe.Refund = {
    id: newId('re'),
    object: 'refund',
    amount,
    balance_transaction: newId('txn'),
    charge: charge.id,
    created: ctx.now,
    currency: charge.currency,
    customer: typeof charge.customer === 'string' ? charge.customer : null,
    customer_account: null,
    destination_details: {
      card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' },
      type: 'card',
    },
    metadata: mergeMetadata(null, p.metadata),
    payment_intent: typeof charge.payment_intent === 'string' ? charge.payment_intent : null,
    payment_method: charge.payment_method,
    reason: p.reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
  ctx.tx.put('refund', refund);
  const refunded = charge.amount_refunded + amount;
  const updated: Stripe.Charge = { ...charge, amount_refunded: refunded, refunded: refunded >= charge.amount_captured };
  ctx.tx.put('charge', updated);
  ctx.emit('refund.created', refund);
  ctx.emit('charge.refunded', updated);
  return ok(expand(ctx.tx, refund, p.expand));
}

function list(ctx: Ctx, raw: FormObject): Reply {
  const p = parseParams(listSchema, raw);
  const items = ctx.tx
    .all('refund')
    .filter((r) => (p.payment_intent === undefined ? true : r.payment_intent === p.payment_intent))
    .filter((r) => (p.charge === undefined ? true : r.charge === p.charge))
    .filter((r) => inRange(r.created, p.created));
  return ok(expand(ctx.tx, paginate(items, p, '/v1/refunds', 'refund'), p.expand));
}

export const refundRoutes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/refunds$/, handle: create },
  { method: 'GET', pattern: /^\/v1\/refunds$/, handle: list },
  {
    method: 'GET',
    pattern: /^\/v1\/refunds\/([^/]+)$/,
    handle: (ctx, raw, ids) => {
      const refund = ctx.tx.get('refund', ids[0] ?? '');
      if (!refund) throw notFound('refund', ids[0] ?? '');
      return ok(expand(ctx.tx, refund, parseParams(expandOnly, raw).expand));
    },
  },
];
