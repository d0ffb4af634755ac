import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { coalesceWrites } from '../../../infra/local/iot/write-coalescing.js';

/** A sink recording each batch the stream hands down (one batch = one socket writev). */
function sink(highWaterMark = 1024): { stream: Writable; batches: string[][] } {
  const batches: string[][] = [];
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      batches.push([chunk.toString()]);
      cb();
    },
    writev(chunks, cb) {
      batches.push(chunks.map((c) => String(c.chunk)));
      cb();
    },
  });
  return { stream, batches };
}

/** How aedes + mqtt-packet write one packet: in a setImmediate, corked until the next tick. */
function writePacket(stream: Writable, parts: string[]): Promise<boolean[]> {
  return new Promise((resolve) =>
    setImmediate(() => {
      stream.cork();
      process.nextTick(() => stream.uncork());
      resolve(parts.map((p) => stream.write(p)));
    }),
  );
}

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('coalesceWrites', () => {
  it('writes every packet of one loop turn in one batch, in order', async () => {
    const { stream, batches } = sink();
    const stats = coalesceWrites(stream);
    await Promise.all([writePacket(stream, ['a1', 'a2']), writePacket(stream, ['b1']), writePacket(stream, ['c1'])]);
    expect(batches).toEqual([]);
    await turn();
    await turn();
    expect(batches).toEqual([['a1', 'a2', 'b1', 'c1']]);
    expect(stats).toEqual({ writes: 4, flushes: 1, full: 0 });
  });

  it('without it, each packet is its own write (the cost it removes)', async () => {
    const { stream, batches } = sink();
    await Promise.all([writePacket(stream, ['a1', 'a2']), writePacket(stream, ['b1'])]);
    await turn();
    expect(batches).toEqual([['a1', 'a2'], ['b1']]);
  });

  it('flushes early at half the high-water mark, so write never reports backpressure for a batch', async () => {
    const { stream, batches } = sink(100);
    const stats = coalesceWrites(stream);
    const packet = 'x'.repeat(30);
    const results = await Promise.all(Array.from({ length: 10 }, () => writePacket(stream, [packet])));
    await turn();
    await turn();
    expect(results.flat().every(Boolean)).toBe(true);
    expect(batches.flat().join('')).toBe(packet.repeat(10));
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.every((b) => b.length <= 2)).toBe(true);
    expect(stats.full).toBe(0);
  });

  it('keeps going after a flush and does not touch a destroyed stream', async () => {
    const { stream, batches } = sink();
    coalesceWrites(stream);
    await writePacket(stream, ['one']);
    await turn();
    await writePacket(stream, ['two']);
    await turn();
    await turn();
    expect(batches).toEqual([['one'], ['two']]);
    await writePacket(stream, ['three']);
    stream.destroy();
    await turn();
    expect(batches).toEqual([['one'], ['two']]);
  });
});
