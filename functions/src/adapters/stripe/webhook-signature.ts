/**
 * Stripe's webhook signature scheme, as stripe.webhooks.constructEvent checks it: header
 * `t=<unix>,v1=<hex>[,v1=…]`, HMAC-SHA256(secret, `${t}.${rawBody}`), timestamp age ≤ tolerance.
 * Own code (not the SDK call) so a stale timestamp and a bad signature are told apart, and each
 * of several secrets (rotation) is tried without exceptions as control flow.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = { ok: true } | { ok: false; reason: 'signature' | 'timestamp'; message: string };

export function parseSignatureHeader(header: string): { timestamp: number; signatures: string[] } | undefined {
  let timestamp = Number.NaN;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't' && /^\d+$/.test(v)) timestamp = Number(v);
    if (k === 'v1' && /^[0-9a-f]{64}$/i.test(v)) signatures.push(v.toLowerCase());
  }
  return Number.isFinite(timestamp) && signatures.length > 0 ? { timestamp, signatures } : undefined;
}

export function checkSignature(
  rawBody: string,
  header: string | undefined,
  secrets: readonly string[],
  o: { toleranceSeconds: number; nowSeconds: number },
): SignatureCheck {
  if (!header) return { ok: false, reason: 'signature', message: 'missing Stripe-Signature header' };
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, reason: 'signature', message: 'unparseable Stripe-Signature header' };
  const signed = `${parsed.timestamp}.${rawBody}`;
  const match = secrets.some((secret) => {
    const expected = createHmac('sha256', secret).update(signed, 'utf8').digest();
    return parsed.signatures.some((sig) => {
      const given = Buffer.from(sig, 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  });
  if (!match) return { ok: false, reason: 'signature', message: 'no signature matches the payload' };
  if (o.nowSeconds - parsed.timestamp > o.toleranceSeconds) {
    return { ok: false, reason: 'timestamp', message: 'timestamp outside the tolerance zone' };
  }
  return { ok: true };
}
