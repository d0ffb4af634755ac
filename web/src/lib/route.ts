/**
 * The app's few screens as URLs, so a reload, the back button and Stripe Checkout's return
 * (`/sessions/<id>?checkout=success`, see functions/src/use-cases/energize.ts) land on the right
 * screen. The host must serve index.html for these paths (SPA fallback).
 */

export type CheckoutReturn = 'success' | 'cancelled' | 'paid';

export type Route =
  | { name: 'stations'; checkout?: CheckoutReturn }
  | { name: 'session'; id: string; checkout?: CheckoutReturn }
  | { name: 'history' }
  | { name: 'operator' };

const CHECKOUT_VALUES: Readonly<Record<string, CheckoutReturn>> = {
  success: 'success',
  succeeded: 'success',
  complete: 'success',
  cancel: 'cancelled',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  paid: 'paid',
};

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function parseRoute(pathname: string, search: string): Route {
  const params = new URLSearchParams(search);
  const checkout = CHECKOUT_VALUES[params.get('checkout') ?? ''];
  const withCheckout = checkout ? { checkout } : {};
  const segments = pathname.split('/').filter(Boolean);
  const [first, second] = segments;
  // `?session=<id>` is accepted too, for return URLs configured before sessions had their own path.
  const sessionId = first === 'sessions' && second ? decode(second) : params.get('session')?.trim() || undefined;
  if (sessionId) return { name: 'session', id: sessionId, ...withCheckout };
  const view = first ?? params.get('view');
  if (view === 'history') return { name: 'history' };
  if (view === 'operator') return { name: 'operator' };
  return { name: 'stations', ...withCheckout };
}

/** The canonical path for a route; checkout markers are one-shot and never written back. */
export function routeToPath(route: Route): string {
  switch (route.name) {
    case 'session':
      return `/sessions/${encodeURIComponent(route.id)}`;
    case 'history':
      return '/history';
    case 'operator':
      return '/operator';
    case 'stations':
      return '/';
  }
}
