/** The one place a Stripe SDK client is built: pinned API version, optional local endpoint. */
import Stripe from 'stripe';
import { z } from 'zod';

/** Pinned: the SDK's types describe exactly this version; bump both together. */
export const STRIPE_API_VERSION = '2026-10-28.endive' as const satisfies Stripe.LatestApiVersion;

export const stripeClientConfigSchema = z.object({
  secretKey: z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, 'expected a Stripe secret key'),
  /** e.g. http://127.0.0.1:12111 for the local emulator; absent = api.stripe.com. */
  apiBase: z.url().optional(),
  /** The SDK's own retries (it reuses our Idempotency-Key on each retry). */
  maxNetworkRetries: z.number().int().min(0).max(5).default(2),
  timeoutMs: z.number().int().positive().default(20_000),
});
export type StripeClientConfig = z.input<typeof stripeClientConfigSchema>;

export function createStripeClient(config: StripeClientConfig): Stripe {
  const c = stripeClientConfigSchema.parse(config);
  const base = c.apiBase ? new URL(c.apiBase) : undefined;
  return new Stripe(c.secretKey, {
    apiVersion: STRIPE_API_VERSION,
    maxNetworkRetries: c.maxNetworkRetries,
    timeout: c.timeoutMs,
    telemetry: false,
    ...(base
      ? {
          host: base.hostname,
          port: base.port || (base.protocol === 'https:' ? 443 : 80),
          protocol: base.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}
