import { createHash } from 'node:crypto';
import type { IdGenerator } from '../../ports/id-generator.port.js';

/** Counter ids (`cmd_000001`) for readable tests; `fromParts` hashes so ids never leak their parts. */
export class MemoryIdGenerator implements IdGenerator {
  private counter = 0;

  next(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${String(this.counter).padStart(6, '0')}`;
  }

  fromParts(prefix: string, ...parts: string[]): string {
    // NUL cannot occur in ids, so ('a','bc') and ('ab','c') never collide.
    const digest = createHash('sha256').update(parts.join('\u0000')).digest('hex');
    return `${prefix}_${digest.slice(0, 24)}`;
  }
}
