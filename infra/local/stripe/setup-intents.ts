/** SetupIntents: saving a card for later off-session use (the 3DS challenge happens here, once). */
import type Stripe from 'stripe';
import { z } from 'zod';
import { decideSetup } from './cards.js';
import { type Ctx, ok, type Reply, type Route } from './context.js';
import { cardErrorBody, notFound, type StripeErrorBody, unexpectedState } from './errors.js';
import { expand } from './expand.js';
import type { FormObject } from './form.js';
import { clientSecret, newId } from './ids.js';
import { mergeMetadata, parseParams, zBool, zExpand, zMetadata } from './params.js';
import { threeDsUrl } from './payment-attempt.js';
import { attachToCustomer, resolvePaymentMethod } from './payment-methods.js';

export function buildSetupIntent(
  ctx: Ctx,
  o: { customer: string | null; metadata: Record<string, string>; usage: string; paymentMethod: string | null },
): Stripe.SetupIntent {
  const id = newId('seti');
  return {
    id,
    object: 'setup_intent',
    allowed_payment_method_types: null,
    application: null,
    automatic_payment_methods: null,
    cancellation_reason: null,
    client_secret: clientSecret(id),
    created: ctx.now,
    customer: o.customer,
    customer_account: null,
    description: null,
    excluded_payment_method_types: null,
    flow_directions: null,
    last_setup_error: null,
    latest_attempt: null,
    livemode: false,
    mandate: null,
    metadata: o.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: o.paymentMethod,
    payment_method_configuration_details: null,
    payment_method_options: { card: { mandate_options: null, network: null, request_three_d_secure: 'automatic' } },
    payment_method_types: ['card'],
    single_use_mandate: null,
    status: o.paymentMethod ? 'requires_confirmation' : 'requires_payment_method',
    usage: o.usage,
  };
}

export interface SetupResult {
  si: Stripe.SetupIntent;
  error?: StripeErrorBody;
}

export function confirmSetup(
  ctx: Ctx,
  si: Stripe.SetupIntent,
  o: { authenticated: boolean; returnUrl: string | null },
): SetupResult {
  const pmId = typeof si.payment_method === 'string' ? si.payment_method : null;
  const pm = pmId ? ctx.tx.get('payment_method', pmId) : undefined;
  const meta = pmId ? ctx.tx.get('pm_meta', pmId) : undefined;
  if (!pm || !meta)
    throw unexpectedState(
      'You cannot confirm this SetupIntent because it is missing a payment method.',
      'setup_intent_unexpected_state',
    );
  const decision = decideSetup(meta.behaviour, o.authenticated);
  if (decision.kind === 'challenge') {
    const pending: Stripe.SetupIntent = {
      ...si,
      status: 'requires_action',
      next_action: {
        type: 'redirect_to_url',
        redirect_to_url: { url: threeDsUrl(ctx, si.id, o.returnUrl), return_url: o.returnUrl },
      },
    };
    ctx.tx.put('setup_intent', pending);
    ctx.emit('setup_intent.requires_action', pending);
    return { si: pending };
  }
  if (decision.kind === 'decline') {
    const failed: Stripe.SetupIntent = {
      ...si,
      status: 'requires_payment_method',
      payment_method: null,
      next_action: null,
      last_setup_error: {
        type: 'card_error',
        code: decision.code,
        decline_code: decision.declineCode,
        message: decision.message,
        payment_method: pm,
      },
    };
    ctx.tx.put('setup_intent', failed);
    ctx.emit('setup_intent.setup_failed', failed);
    return {
      si: failed,
      error: cardErrorBody(decision.code, decision.message, {
        decline_code: decision.declineCode,
        setup_intent: failed,
        payment_method: pm,
      }),
    };
  }
  ctx.tx.put('pm_meta', { ...meta, setupAuthenticated: true });
  if (typeof si.customer === 'string') attachToCustomer(ctx, pm, si.customer);
  const done: Stripe.SetupIntent = { ...si, status: 'succeeded', next_action: null, last_setup_error: null };
  ctx.tx.put('setup_intent', done);
  ctx.emit('setup_intent.succeeded', done);
  return { si: done };
}

export function authenticateSetup(ctx: Ctx, si: Stripe.SetupIntent, success: boolean): SetupResult {
  if (si.status !== 'requires_action') {
    throw unexpectedState(
      `This SetupIntent is not awaiting authentication (status ${si.status}).`,
      'setup_intent_unexpected_state',
    );
  }
  const returnUrl = si.next_action?.redirect_to_url?.return_url ?? null;
  if (success) return confirmSetup(ctx, si, { authenticated: true, returnUrl });
  const pmId = typeof si.payment_method === 'string' ? si.payment_method : null;
  const pm = pmId ? ctx.tx.get('payment_method', pmId) : undefined;
  const failed: Stripe.SetupIntent = {
    ...si,
    status: 'requires_payment_method',
    payment_method: null,
    next_action: null,
    last_setup_error: {
      type: 'invalid_request_error',
      code: 'setup_intent_authentication_failure',
      message: 'The latest attempt to set up the payment method has failed because authentication failed.',
      ...(pm ? { payment_method: pm } : {}),
    },
  };
  ctx.tx.put('setup_intent', failed);
  ctx.emit('setup_intent.setup_failed', failed);
  return { si: failed };
}

const createSchema = z
  .object({
    customer: z.string().optional(),
    payment_method: z.string().optional(),
    payment_method_types: z.array(z.string()).optional(),
    allowed_payment_method_types: z.array(z.string()).optional(),
    confirm: zBool.optional(),
    usage: z.enum(['off_session', 'on_session']).optional(),
    return_url: z.string().optional(),
    metadata: zMetadata.optional(),
    expand: zExpand.optional(),
  })
  .strict();
const confirmSchema = z
  .object({ payment_method: z.string().optional(), return_url: z.string().optional(), expand: zExpand.optional() })
  .strict();
const expandOnly = z.object({ expand: zExpand.optional() }).strict();

function mustGet(ctx: Ctx, id: string): Stripe.SetupIntent {
  const si = ctx.tx.get('setup_intent', id);
  if (!si) throw notFound('setup_intent', id);
  return si;
}

function reply(ctx: Ctx, r: SetupResult, paths: string[] | undefined): Reply {
  return r.error ? { status: 402, body: { error: r.error } } : ok(expand(ctx.tx, r.si, paths));
}

function create(ctx: Ctx, raw: FormObject): Reply {
  const p = parseParams(createSchema, raw);
  if (p.customer && !ctx.tx.get('customer', p.customer)) throw notFound('customer', p.customer, 'customer');
  const pm = p.payment_method ? resolvePaymentMethod(ctx, p.payment_method) : undefined;
  const si = buildSetupIntent(ctx, {
    customer: p.customer ?? null,
    metadata: mergeMetadata(null, p.metadata),
    usage: p.usage ?? 'off_session',
    paymentMethod: pm?.id ?? null,
  });
  ctx.tx.put('setup_intent', si);
  ctx.emit('setup_intent.created', si);
  if (!p.confirm) return ok(expand(ctx.tx, si, p.expand));
  return reply(ctx, confirmSetup(ctx, si, { authenticated: false, returnUrl: p.return_url ?? null }), p.expand);
}

function confirm(ctx: Ctx, raw: FormObject, ids: string[]): Reply {
  const p = parseParams(confirmSchema, raw);
  const si = mustGet(ctx, ids[0] ?? '');
  if (si.status === 'succeeded' || si.status === 'canceled') {
    throw unexpectedState(
      `You cannot confirm this SetupIntent because it has a status of ${si.status}.`,
      'setup_intent_unexpected_state',
    );
  }
  const withPm = p.payment_method ? { ...si, payment_method: resolvePaymentMethod(ctx, p.payment_method).id } : si;
  return reply(ctx, confirmSetup(ctx, withPm, { authenticated: false, returnUrl: p.return_url ?? null }), p.expand);
}

function cancel(ctx: Ctx, raw: FormObject, ids: string[]): Reply {
  const p = parseParams(expandOnly.extend({ cancellation_reason: z.string().optional() }), raw);
  const si = mustGet(ctx, ids[0] ?? '');
  if (si.status === 'succeeded' || si.status === 'canceled') {
    throw unexpectedState(
      `You cannot cancel this SetupIntent because it has a status of ${si.status}.`,
      'setup_intent_unexpected_state',
    );
  }
  const done: Stripe.SetupIntent = { ...si, status: 'canceled', next_action: null };
  ctx.tx.put('setup_intent', done);
  ctx.emit('setup_intent.canceled', done);
  return ok(expand(ctx.tx, done, p.expand));
}

export const setupIntentRoutes: Route[] = [
  { method: 'POST', pattern: /^\/v1\/setup_intents$/, handle: create },
  { method: 'POST', pattern: /^\/v1\/setup_intents\/([^/]+)\/confirm$/, handle: confirm },
  { method: 'POST', pattern: /^\/v1\/setup_intents\/([^/]+)\/cancel$/, handle: cancel },
  {
    method: 'GET',
    pattern: /^\/v1\/setup_intents\/([^/]+)$/,
    handle: (ctx, raw, ids) => ok(expand(ctx.tx, mustGet(ctx, ids[0] ?? ''), parseParams(expandOnly, raw).expand)),
  },
];
