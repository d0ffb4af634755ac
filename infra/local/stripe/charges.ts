/** Charges (one per payment attempt), GET /v1/charges/:id, and the operator's "open a dispute". */
import type Stripe from 'stripe';
import { z } from 'zod';
import { type Ctx, ok, type Route } from './context.js';
import { invalidRequest, notFound } from './errors.js';
import { expand } from './expand.js';
import { newId } from './ids.js';
import { parseParams, zExpand } from './params.js';

export function createCharge(
  ctx: Ctx,
  pi: Stripe.PaymentIntent,
  pm: Stripe.PaymentMethod,
  failure: { code: string; declineCode: string; message: string } | undefined,
  capture: boolean,
): Stripe.Charge {
  const charge: Stripe.Charge = {
    id: newId('ch'),
    object: 'charge',
    amount: pi.amount,
    amount_captured: failure || !capture ? 0 : pi.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: failure ? null : newId('txn'),
    billing_details: pm.billing_details,
    calculated_statement_descriptor: 'EV CHARGE',
    captured: !failure && capture,
    created: ctx.now,
    currency: pi.currency,
    customer: typeof pi.customer === 'string' ? pi.customer : null,
    description: pi.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
    fraud_details: {},
    livemode: false,
    metadata: { ...pi.metadata },
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: failure ? 'declined_by_network' : 'approved_by_network',
      reason: failure?.declineCode ?? null,
      risk_level: 'normal',
      seller_message: failure ? 'The bank did not return any further details with this decline.' : 'Payment complete.',
      type: failure ? 'issuer_declined' : 'authorized',
    },
    paid: !failure,
    payment_intent: pi.id,
    payment_method: pm.id,
    payment_method_details: null,
    receipt_email: pi.receipt_email,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: failure ? 'failed' : 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
  ctx.tx.put('charge', charge);
  ctx.emit(failure ? 'charge.failed' : 'charge.succeeded', charge);
  return charge;
}

/** The operator's switch: the cardholder disputes a succeeded payment. */
export function openDispute(ctx: Ctx, paymentIntentId: string, reason = 'fraudulent'): Stripe.Dispute {
  const pi = ctx.tx.get('payment_intent', paymentIntentId);
  if (!pi) throw notFound('payment_intent', paymentIntentId, 'payment_intent');
  const chargeId = typeof pi.latest_charge === 'string' ? pi.latest_charge : null;
  const charge = chargeId ? ctx.tx.get('charge', chargeId) : undefined;
  if (charge?.status !== 'succeeded') throw invalidRequest('Only a succeeded payment can be disputed.');
  const dispute: Stripe.Dispute = {
    id: newId('dp'),
    object: 'dispute',
    amount: charge.amount - charge.amount_refunded,
    balance_transactions: [],
    charge: charge.id,
    created: ctx.now,
    currency: charge.currency,
    enhanced_eligibility_types: [],
    evidence: emptyEvidence(),
    evidence_details: {
      due_by: ctx.now + 7 * 86_400,
      enhanced_eligibility: {},
      has_evidence: false,
      past_due: false,
      submission_count: 0,
      submission_method: 'not_submitted',
    },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: pi.id,
    reason,
    status: 'needs_response',
  };
  ctx.tx.put('dispute', dispute);
  ctx.tx.put('charge', { ...charge, disputed: true });
  ctx.emit('charge.dispute.created', dispute);
  return dispute;
}

function emptyEvidence(): Stripe.Dispute.Evidence {
  return {
    access_activity_log: null,
    billing_address: null,
    cancellation_policy: null,
    cancellation_policy_disclosure: null,
    cancellation_rebuttal: null,
    customer_communication: null,
    customer_email_address: null,
    customer_name: null,
    customer_purchase_ip: null,
    customer_signature: null,
    duplicate_charge_documentation: null,
    duplicate_charge_explanation: null,
    duplicate_charge_id: null,
    enhanced_evidence: {},
    product_description: null,
    receipt: null,
    refund_policy: null,
    refund_policy_disclosure: null,
    refund_refusal_explanation: null,
    service_date: null,
    service_documentation: null,
    shipping_address: null,
    shipping_carrier: null,
    shipping_date: null,
    shipping_documentation: null,
    shipping_tracking_number: null,
    uncategorized_file: null,
    uncategorized_text: null,
  };
}

const expandOnly = z.object({ expand: zExpand.optional() }).strict();

export const chargeRoutes: Route[] = [
  {
    method: 'GET',
    pattern: /^\/v1\/charges\/([^/]+)$/,
    handle: (ctx, raw, ids) => {
      const charge = ctx.tx.get('charge', ids[0] ?? '');
      if (!charge) throw notFound('charge', ids[0] ?? '');
      return ok(expand(ctx.tx, charge, parseParams(expandOnly, raw).expand));
    },
  },
  {
    method: 'GET',
    pattern: /^\/v1\/disputes\/([^/]+)$/,
    handle: (ctx, raw, ids) => {
      const dispute = ctx.tx.get('dispute', ids[0] ?? '');
      if (!dispute) throw notFound('dispute', ids[0] ?? '');
      return ok(expand(ctx.tx, dispute, parseParams(expandOnly, raw).expand));
    },
  },
];
