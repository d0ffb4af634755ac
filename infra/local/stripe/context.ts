import type Stripe from 'stripe';
import type { FormObject } from './form.js';
import type { Tx } from './store.js';

/** What one API call (or hosted-page action) works with; everything it changes goes through `tx`. */
export interface Ctx {
  tx: Tx;
  /** Unix seconds. */
  now: number;
  /** Base URL the hosted pages are reachable at (Checkout `url`, 3DS redirects). */
  publicUrl: string;
  request: { id: string | null; idempotency_key: string | null };
  emit(type: Stripe.Event.Type, object: { id: string }): void;
}

export interface Reply {
  status: number;
  body: unknown;
}

export type Method = 'GET' | 'POST' | 'DELETE';

export interface Route {
  method: Method;
  /** Matched against the path; capture groups become `ids`. */
  pattern: RegExp;
  handle(ctx: Ctx, params: FormObject, ids: string[]): Reply;
}

export const ok = (body: unknown): Reply => ({ status: 200, body });
