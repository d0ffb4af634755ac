import { createHash, randomBytes } from 'node:crypto';
import type { IdGenerator } from '../../ports/id-generator.port.js';

// Crockford base32: ids sort by creation time (48-bit ms prefix) and stay URL- and topic-safe.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += ALPHABET[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

export class CryptoIdGenerator implements IdGenerator {
  constructor(private readonly now: () => number = Date.now) {}

  next(prefix: string): string {
    const time = Buffer.alloc(6);
    time.writeUIntBE(this.now(), 0, 6);
    return `${prefix}_${base32(Buffer.concat([time, randomBytes(10)]), 26)}`;
  }

  fromParts(prefix: string, ...parts: string[]): string {
    // Length-prefix each part so ('ab','c') and ('a','bc') never collide.
    const h = createHash('sha256');
    for (const p of parts) h.update(`${Buffer.byteLength(p)}:${p};`);
    return `${prefix}_${base32(h.digest(), 26)}`;
  }
}
