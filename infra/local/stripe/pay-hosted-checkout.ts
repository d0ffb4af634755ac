/**
 * payHostedCheckout: fills the emulator's hosted Checkout page by plain HTTP (no browser) and walks
 * the simulated 3DS step, for tests of other parts. It does not follow the final redirect to the
 * success/cancel URL (that is the web app's page).
 */
export interface HostedCheckoutResult {
  /** completed: redirected to success_url. declined / authentication_failed: the page shows an error. */
  outcome: 'completed' | 'declined' | 'authentication_failed' | 'not_open';
  /** Where the browser would go next (success_url with the session id filled in). */
  redirectUrl?: string;
  message?: string;
}

const MAX_HOPS = 6;

function errorText(html: string): string {
  const m = /role="alert"[^>]*>([^<]*)</.exec(html);
  return m?.[1]?.replace(/&#39;/g, "'").replace(/&amp;/g, '&') ?? 'error';
}

export async function payHostedCheckout(
  url: string,
  o: { card: string; authenticate?: 'complete' | 'fail'; expiry?: string; cvc?: string; email?: string },
): Promise<HostedCheckoutResult> {
  const pageUrl = new URL(url);
  const page = await fetch(pageUrl, { redirect: 'manual' });
  await page.text();
  if (page.status !== 200) return { outcome: 'not_open', message: `checkout page answered ${page.status}` };
  const form = new URLSearchParams({
    cardNumber: o.card,
    expiry: o.expiry ?? '12 / 34',
    cvc: o.cvc ?? '123',
    email: o.email ?? 'driver@example.com',
  });
  let res = await fetch(pageUrl, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  let authenticated = false;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const html = await res.text();
    if (res.status !== 303) return { outcome: 'declined', message: errorText(html) };
    const next = new URL(res.headers.get('location') ?? '', pageUrl);
    if (next.origin !== pageUrl.origin) return { outcome: 'completed', redirectUrl: next.toString() };
    if (next.pathname.startsWith('/3ds/') && !authenticated) {
      authenticated = true;
      const result = o.authenticate ?? 'complete';
      res = await fetch(next, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ result }).toString(),
      });
      continue;
    }
    if (next.pathname.startsWith('/c/done/')) return { outcome: 'completed', redirectUrl: next.toString() };
    const error = next.searchParams.get('error');
    if (error) {
      return {
        outcome: authenticated && o.authenticate === 'fail' ? 'authentication_failed' : 'declined',
        message: error,
      };
    }
    res = await fetch(next, { redirect: 'manual' });
  }
  throw new Error('payHostedCheckout: too many redirects');
}
