/** What the hosted Checkout page does on submit and after the simulated 3DS step. */
import type Stripe from 'stripe';
import { completeSession, mustGetSession } from './checkout-sessions.js';
import type { Ctx } from './context.js';
import { authenticatePayment, buildPaymentIntent, confirmPayment } from './payment-attempt.js';
import { createCardPaymentMethod } from './payment-methods.js';
import { authenticateSetup, confirmSetup } from './setup-intents.js';

export type PageOutcome = { kind: 'redirect'; url: string } | { kind: 'error'; message: string };

export interface CardForm {
  number: string;
  expMonth: number;
  expYear: number;
  name?: string | undefined;
  email?: string | undefined;
}

function successRedirect(ctx: Ctx, s: Stripe.Checkout.Session): string {
  return s.success_url ? s.success_url.replaceAll('{CHECKOUT_SESSION_ID}', s.id) : `${ctx.publicUrl}/c/done/${s.id}`;
}

function pageUrl(ctx: Ctx, s: Stripe.Checkout.Session): string {
  return `${ctx.publicUrl}/c/pay/${s.id}`;
}

function nextActionUrl(intent: {
  next_action: { redirect_to_url?: { url: string | null } | undefined } | null;
}): string {
  return intent.next_action?.redirect_to_url?.url ?? '';
}

export function submitCheckout(ctx: Ctx, sessionId: string, card: CardForm): PageOutcome {
  const session = mustGetSession(ctx, sessionId);
  if (session.status !== 'open') return { kind: 'error', message: `This Checkout Session is ${session.status}.` };
  const pm = createCardPaymentMethod(ctx, card);
  if (!pm) return { kind: 'error', message: 'Your card number is incorrect.' };
  const returnUrl = pageUrl(ctx, session);

  if (session.mode === 'setup') {
    const si = ctx.tx.get('setup_intent', typeof session.setup_intent === 'string' ? session.setup_intent : '');
    if (!si) return { kind: 'error', message: 'This Checkout Session has no SetupIntent.' };
    const r = confirmSetup(ctx, { ...si, payment_method: pm.id }, { authenticated: false, returnUrl });
    if (r.error) return { kind: 'error', message: r.error.message };
    if (r.si.status === 'requires_action') return { kind: 'redirect', url: nextActionUrl(r.si) };
    return { kind: 'redirect', url: successRedirect(ctx, completeSession(ctx, session, card.email ?? null)) };
  }

  const meta = ctx.tx.get('checkout_meta', session.id);
  const existing =
    typeof session.payment_intent === 'string' ? ctx.tx.get('payment_intent', session.payment_intent) : undefined;
  const pi: Stripe.PaymentIntent = existing
    ? { ...existing, payment_method: pm.id }
    : buildPaymentIntent(ctx, {
        amount: session.amount_total ?? 0,
        currency: session.currency ?? 'jpy',
        customer: typeof session.customer === 'string' ? session.customer : null,
        paymentMethod: pm.id,
        metadata: meta?.paymentIntentData.metadata ?? {},
        description: meta?.paymentIntentData.description ?? null,
        captureMethod: 'automatic_async',
        paymentMethodTypes: ['card'],
        setupFutureUsage: meta?.paymentIntentData.setupFutureUsage ?? null,
        receiptEmail: null,
      });
  if (!existing) {
    ctx.tx.put('payment_intent', pi);
    ctx.emit('payment_intent.created', pi);
  }
  const linked: Stripe.Checkout.Session = { ...session, payment_intent: pi.id };
  ctx.tx.put('checkout_session', linked);
  const r = confirmPayment(ctx, pi, { offSession: false, authenticated: false, returnUrl });
  if (r.error) return { kind: 'error', message: r.error.message };
  if (r.pi.status === 'requires_action') return { kind: 'redirect', url: nextActionUrl(r.pi) };
  return { kind: 'redirect', url: successRedirect(ctx, completeSession(ctx, linked, card.email ?? null)) };
}

/** The 3DS page's Complete/Fail for a pi_… or seti_…; returns where the browser goes next. */
export function finishAuthentication(ctx: Ctx, intentId: string, success: boolean): PageOutcome {
  const session = ctx.tx
    .all('checkout_session')
    .find((s) => s.setup_intent === intentId || s.payment_intent === intentId);
  let failure: string | null = null;
  let returnUrl: string | null = null;
  if (intentId.startsWith('seti_')) {
    const si = ctx.tx.get('setup_intent', intentId);
    if (!si) return { kind: 'error', message: `No such setup_intent: '${intentId}'` };
    returnUrl = si.next_action?.redirect_to_url?.return_url ?? null;
    const r = authenticateSetup(ctx, si, success);
    failure =
      r.si.status === 'succeeded'
        ? null
        : (r.error?.message ?? r.si.last_setup_error?.message ?? 'Authentication failed.');
  } else {
    const pi = ctx.tx.get('payment_intent', intentId);
    if (!pi) return { kind: 'error', message: `No such payment_intent: '${intentId}'` };
    returnUrl = pi.next_action?.redirect_to_url?.return_url ?? null;
    const r = authenticatePayment(ctx, pi, success);
    failure =
      r.pi.status === 'succeeded' || r.pi.status === 'requires_capture'
        ? null
        : (r.error?.message ?? r.pi.last_payment_error?.message ?? 'Authentication failed.');
  }
  if (session?.status === 'open') {
    if (failure) return { kind: 'redirect', url: `${pageUrl(ctx, session)}?error=${encodeURIComponent(failure)}` };
    const fresh = mustGetSession(ctx, session.id);
    return { kind: 'redirect', url: successRedirect(ctx, completeSession(ctx, fresh, null)) };
  }
  const target = returnUrl ?? `${ctx.publicUrl}/3ds/done`;
  const sep = target.includes('?') ? '&' : '?';
  const key = intentId.startsWith('seti_') ? 'setup_intent' : 'payment_intent';
  return {
    kind: 'redirect',
    url: `${target}${sep}${key}=${intentId}&redirect_status=${failure ? 'failed' : 'succeeded'}`,
  };
}
