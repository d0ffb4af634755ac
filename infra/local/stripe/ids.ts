import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length];
  return out;
}

/** Stripe-looking ids: `pi_3Q…` style prefix + 24 base62 characters. */
export function newId(prefix: string): string {
  return `${prefix}_${randomToken(24)}`;
}

export function clientSecret(id: string): string {
  return `${id}_secret_${randomToken(25)}`;
}

export function sha256Hex(input: string): string {
  return createHash('sha256').update(input).digest('hex');
}
