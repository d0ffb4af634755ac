/**
 * The hosted Checkout page and the simulated 3DS page. Plain HTML forms, so a browser and a plain
 * HTTP form POST (payHostedCheckout) drive them the same way.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type CardForm, finishAuthentication, type PageOutcome, submitCheckout } from './checkout-submit.js';
import { ApiError } from './errors.js';
import { parseForm } from './form.js';
import type { Runtime } from './runtime.js';

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:420px;margin:40px auto;padding:0 16px}
label{display:block;margin:12px 0 4px}input{width:100%;padding:8px;box-sizing:border-box}
button{margin-top:16px;padding:10px 16px;width:100%}.error{color:#b00020}.amount{font-size:1.6em}</style>
</head><body>${body}</body></html>`;
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function redirect(res: ServerResponse, url: string): void {
  res.writeHead(303, { location: url, 'cache-control': 'no-store' });
  res.end();
}

function checkoutPage(rt: Runtime, sessionId: string, error: string | null): { status: number; html: string } {
  const s = rt.store.get('checkout_session', sessionId);
  if (!s) return { status: 404, html: page('Not found', '<h1>Checkout Session not found</h1>') };
  if (s.status !== 'open') {
    return {
      status: 410,
      html: page('Checkout', `<h1 data-testid="checkout-status">This Checkout Session is ${esc(s.status ?? '')}.</h1>`),
    };
  }
  const meta = rt.store.get('checkout_meta', s.id);
  // As Stripe's page does, a payment that also saves the card says so before the customer pays.
  const saves =
    s.mode === 'payment' && meta?.paymentIntentData.setupFutureUsage
      ? '<p data-testid="save-notice">Your card will be saved for future payments.</p>'
      : '';
  const heading =
    s.mode === 'payment'
      ? `<p>${esc(meta?.productName ?? 'Payment')}</p><p class="amount" data-testid="amount">¥${(s.amount_total ?? 0).toLocaleString('en-US')}</p>${saves}`
      : '<p data-testid="setup-notice">Save a card for future charging sessions.</p>';
  const cancel = s.cancel_url ? `<p><a href="${esc(s.cancel_url)}" data-testid="cancel">Cancel</a></p>` : '';
  return {
    status: error ? 402 : 200,
    html: page(
      'Checkout',
      `<h1>Emulated Stripe Checkout</h1>${heading}
${error ? `<p class="error" role="alert" data-testid="error">${esc(error)}</p>` : ''}
<form method="post" action="/c/pay/${esc(s.id)}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email">
<label for="cardNumber">Card number</label><input id="cardNumber" name="cardNumber" inputmode="numeric" required placeholder="4242 4242 4242 4242">
<label for="expiry">Expiry (MM / YY)</label><input id="expiry" name="expiry" value="12 / 34" required>
<label for="cvc">CVC</label><input id="cvc" name="cvc" value="123" required>
<label for="name">Name on card</label><input id="name" name="name">
<button type="submit" data-testid="submit">${s.mode === 'payment' ? 'Pay' : 'Save card'}</button>
</form>${cancel}`,
    ),
  };
}

function parseCard(fields: Record<string, unknown>): CardForm | string {
  const str = (k: string): string => (typeof fields[k] === 'string' ? (fields[k] as string) : '');
  const m = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(str('expiry'));
  if (!m) return 'Your card’s expiration date is incomplete.';
  const month = Number(m[1]);
  const year = Number(m[2]) < 100 ? 2000 + Number(m[2]) : Number(m[2]);
  const now = new Date();
  if (
    month < 1 ||
    month > 12 ||
    year < now.getUTCFullYear() ||
    (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1)
  ) {
    return 'Your card’s expiration date is in the past.';
  }
  if (!/^\d{3,4}$/.test(str('cvc'))) return 'Your card’s security code is incomplete.';
  return {
    number: str('cardNumber'),
    expMonth: month,
    expYear: year,
    name: str('name') || undefined,
    email: str('email') || undefined,
  };
}

function threeDsPage(rt: Runtime, intentId: string): { status: number; html: string } {
  const intent = intentId.startsWith('seti_')
    ? rt.store.get('setup_intent', intentId)
    : rt.store.get('payment_intent', intentId);
  if (!intent) return { status: 404, html: page('Not found', '<h1>Unknown authentication</h1>') };
  if (intent.status !== 'requires_action') {
    return { status: 409, html: page('3D Secure', `<h1>Nothing to authenticate (status ${esc(intent.status)}).</h1>`) };
  }
  const amount = 'amount' in intent ? `<p>Amount: ¥${intent.amount.toLocaleString('en-US')}</p>` : '';
  return {
    status: 200,
    html: page(
      '3D Secure',
      `<h1>3D Secure 2 test page</h1>${amount}<p>Emulated issuer challenge.</p>
<form method="post" action="/3ds/${esc(intentId)}">
<button type="submit" name="result" value="complete" data-testid="3ds-complete">Complete authentication</button>
<button type="submit" name="result" value="fail" data-testid="3ds-fail">Fail authentication</button>
</form>`,
    ),
  };
}

function apply(res: ServerResponse, rt: Runtime, sessionId: string | null, outcome: PageOutcome): void {
  if (outcome.kind === 'redirect') {
    redirect(res, outcome.url);
  } else if (sessionId) {
    const p = checkoutPage(rt, sessionId, outcome.message);
    send(res, p.status === 200 ? 402 : p.status, p.html);
  } else {
    send(res, 400, page('Error', `<p class="error" role="alert">${esc(outcome.message)}</p>`));
  }
}

/** true when the request was a hosted-page route. */
export function handleHostedPage(
  rt: Runtime,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: string,
): boolean {
  const pay = /^\/c\/pay\/([^/]+)$/.exec(url.pathname);
  const tds = /^\/3ds\/([^/]+)$/.exec(url.pathname);
  const done = /^\/c\/done\/([^/]+)$/.exec(url.pathname);
  try {
    if (pay?.[1] && req.method === 'GET') {
      const p = checkoutPage(rt, pay[1], url.searchParams.get('error'));
      send(res, p.status === 402 ? 200 : p.status, p.html);
    } else if (pay?.[1] && req.method === 'POST') {
      const id = pay[1];
      const card = parseCard(parseForm(body));
      const outcome: PageOutcome =
        typeof card === 'string'
          ? { kind: 'error', message: card }
          : rt.run({ id: null, idempotency_key: null }, (ctx) => submitCheckout(ctx, id, card));
      apply(res, rt, id, outcome);
    } else if (tds?.[1] === 'done') {
      send(res, 200, page('Done', '<h1 data-testid="3ds-done">Authentication finished.</h1>'));
    } else if (tds?.[1] && req.method === 'GET') {
      const p = threeDsPage(rt, tds[1]);
      send(res, p.status, p.html);
    } else if (tds?.[1] && req.method === 'POST') {
      const id = tds[1];
      const success = parseForm(body).result === 'complete';
      apply(
        res,
        rt,
        null,
        rt.run({ id: null, idempotency_key: null }, (ctx) => finishAuthentication(ctx, id, success)),
      );
    } else if (done?.[1] && req.method === 'GET') {
      send(res, 200, page('Done', '<h1 data-testid="checkout-done">Thanks — you can close this page.</h1>'));
    } else {
      return false;
    }
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    send(res, e.status, page('Error', `<p class="error" role="alert">${esc(e.message)}</p>`));
  }
  return true;
}
