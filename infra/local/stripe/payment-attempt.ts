/**
 * Confirming a PaymentIntent: the test card decides (cards.ts); this file turns the decision into
 * Stripe's state (PaymentIntent, Charge, events) and, for failures, Stripe's 402 error body.
 */
import type Stripe from 'stripe';
import { decidePayment } from './cards.js';
import { createCharge } from './charges.js';
import type { Ctx } from './context.js';
import { cardErrorBody, type StripeErrorBody, unexpectedState } from './errors.js';
import { clientSecret, newId } from './ids.js';
import { attachToCustomer } from './payment-methods.js';

export function buildPaymentIntent(
  ctx: Ctx,
  o: {
    amount: number;
    currency: string;
    customer: string | null;
    paymentMethod: string | null;
    metadata: Record<string, string>;
    description: string | null;
    captureMethod: Stripe.PaymentIntent.CaptureMethod;
    paymentMethodTypes: string[];
    allowedPaymentMethodTypes?: string[] | null;
    setupFutureUsage: Stripe.PaymentIntent.SetupFutureUsage | null;
    receiptEmail: string | null;
  },
): Stripe.PaymentIntent {
  const id = newId('pi');
  return {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: o.allowedPaymentMethodTypes ?? null,
    amount: o.amount,
    amount_capturable: 0,
    amount_details: { tip: {} },
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: o.captureMethod,
    client_secret: clientSecret(id),
    confirmation_method: 'automatic',
    created: ctx.now,
    currency: o.currency,
    customer: o.customer,
    customer_account: null,
    description: o.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    managed_payments: null,
    metadata: o.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: o.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: {
      card: { installments: null, mandate_options: null, network: null, request_three_d_secure: 'automatic' },
    },
    payment_method_types: o.paymentMethodTypes,
    payment_record: null,
    processing: null,
    receipt_email: o.receiptEmail,
    review: null,
    setup_future_usage: o.setupFutureUsage,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: o.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  };
}

export interface AttemptResult {
  pi: Stripe.PaymentIntent;
  /** Set when the attempt failed: the call answers 402 with this body. */
  error?: StripeErrorBody;
}

export function threeDsUrl(ctx: Ctx, intentId: string, returnUrl: string | null): string {
  const q = returnUrl ? `?return_url=${encodeURIComponent(returnUrl)}` : '';
  return `${ctx.publicUrl}/3ds/${intentId}${q}`;
}

export function confirmPayment(
  ctx: Ctx,
  pi: Stripe.PaymentIntent,
  o: { offSession: boolean; authenticated: boolean; returnUrl: string | null },
): AttemptResult {
  const pmId = typeof pi.payment_method === 'string' ? pi.payment_method : null;
  const pm = pmId ? ctx.tx.get('payment_method', pmId) : undefined;
  const meta = pmId ? ctx.tx.get('pm_meta', pmId) : undefined;
  if (!pm || !meta) {
    throw unexpectedState(
      "You cannot confirm this PaymentIntent because it's missing a payment method. To confirm a payment method, you must provide a payment_method.",
    );
  }
  const setupAuthenticated = meta.setupAuthenticated && pm.customer !== null && pm.customer === pi.customer;
  const decision = decidePayment(meta.behaviour, {
    offSession: o.offSession,
    setupAuthenticated,
    authenticated: o.authenticated,
  });

  if (decision.kind === 'ok') {
    const capture = pi.capture_method !== 'manual';
    const charge = createCharge(ctx, pi, pm, undefined, capture);
    const done: Stripe.PaymentIntent = {
      ...pi,
      status: capture ? 'succeeded' : 'requires_capture',
      amount_received: capture ? pi.amount : 0,
      amount_capturable: capture ? 0 : pi.amount,
      latest_charge: charge.id,
      last_payment_error: null,
      next_action: null,
    };
    ctx.tx.put('payment_intent', done);
    if (pi.setup_future_usage && typeof pi.customer === 'string') {
      attachToCustomer(ctx, pm, pi.customer);
      // As a completed SetupIntent: a payment that also set the card up for off-session use (with its
      // challenge, where the card asks for one) exempts later off-session charges from authentication.
      if (pi.setup_future_usage === 'off_session') ctx.tx.put('pm_meta', { ...meta, setupAuthenticated: true });
    }
    ctx.emit(capture ? 'payment_intent.succeeded' : 'payment_intent.amount_capturable_updated', done);
    return { pi: done };
  }

  if (decision.kind === 'challenge') {
    const needsAction: Stripe.PaymentIntent = {
      ...pi,
      status: 'requires_action',
      next_action: {
        type: 'redirect_to_url',
        redirect_to_url: { url: threeDsUrl(ctx, pi.id, o.returnUrl), return_url: o.returnUrl },
      },
      last_payment_error: null,
    };
    if (!o.offSession) {
      ctx.tx.put('payment_intent', needsAction);
      ctx.emit('payment_intent.requires_action', needsAction);
      return { pi: needsAction };
    }
    const message = 'Your card was declined. This transaction requires authentication.';
    const lastError: Stripe.PaymentIntent.LastPaymentError = {
      type: 'card_error',
      code: 'authentication_required',
      decline_code: 'authentication_required',
      doc_url: 'https://stripe.com/docs/error-codes/authentication-required',
      message,
      payment_method: pm,
    };
    // As Stripe does off-session: no challenge is possible, the attempt fails with authentication_required
    // and the PaymentIntent waits for a new payment method (the customer must come back on-session).
    const failed: Stripe.PaymentIntent = {
      ...pi,
      status: 'requires_payment_method',
      next_action: null,
      last_payment_error: lastError,
    };
    ctx.tx.put('payment_intent', failed);
    ctx.emit('payment_intent.payment_failed', failed);
    return {
      pi: failed,
      error: cardErrorBody('authentication_required', message, {
        decline_code: 'authentication_required',
        payment_intent: failed,
        payment_method: pm,
      }),
    };
  }

  const charge = createCharge(ctx, pi, pm, decision, true);
  const lastError: Stripe.PaymentIntent.LastPaymentError = {
    type: 'card_error',
    charge: charge.id,
    code: decision.code,
    decline_code: decision.declineCode,
    doc_url: 'https://stripe.com/docs/error-codes/card-declined',
    message: decision.message,
    payment_method: pm,
  };
  const declined: Stripe.PaymentIntent = {
    ...pi,
    status: 'requires_payment_method',
    payment_method: null,
    latest_charge: charge.id,
    last_payment_error: lastError,
    next_action: null,
  };
  ctx.tx.put('payment_intent', declined);
  ctx.emit('payment_intent.payment_failed', declined);
  return {
    pi: declined,
    error: cardErrorBody(decision.code, decision.message, {
      decline_code: decision.declineCode,
      charge: charge.id,
      payment_intent: declined,
      payment_method: pm,
    }),
  };
}

/** The simulated 3DS page's answer for a PaymentIntent in requires_action. */
export function authenticatePayment(ctx: Ctx, pi: Stripe.PaymentIntent, success: boolean): AttemptResult {
  if (pi.status !== 'requires_action') {
    throw unexpectedState(`This PaymentIntent is not awaiting authentication (status ${pi.status}).`);
  }
  const returnUrl = pi.next_action?.redirect_to_url?.return_url ?? null;
  if (success) return confirmPayment(ctx, pi, { offSession: false, authenticated: true, returnUrl });
  const pmId = typeof pi.payment_method === 'string' ? pi.payment_method : null;
  const pm = pmId ? ctx.tx.get('payment_method', pmId) : undefined;
  const message =
    'The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.';
  const failed: Stripe.PaymentIntent = {
    ...pi,
    status: 'requires_payment_method',
    payment_method: null,
    next_action: null,
    last_payment_error: {
      type: 'invalid_request_error',
      code: 'payment_intent_authentication_failure',
      doc_url: 'https://stripe.com/docs/error-codes/payment-intent-authentication-failure',
      message,
      ...(pm ? { payment_method: pm } : {}),
    },
  };
  ctx.tx.put('payment_intent', failed);
  ctx.emit('payment_intent.payment_failed', failed);
  return { pi: failed };
}
