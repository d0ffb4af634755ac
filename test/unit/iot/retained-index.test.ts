import type { Readable } from 'node:stream';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { topicFor } from '../../../contracts/station-protocol.js';
import {
  indexBrokerRetained,
  indexRetained,
  isWildcardFree,
  type RetainedPersistence,
} from '../../../infra/local/iot/retained-index.js';

const brokers: Aedes[] = [];
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((b) => new Promise<void>((r) => b.close(() => r()))));
});

/** aedes' own default persistence (memory), as the local broker gets it. */
async function aedesPersistence(): Promise<RetainedPersistence> {
  const broker = await Aedes.createBroker();
  brokers.push(broker);
  const p: unknown = Reflect.get(broker, 'persistence');
  if (typeof p !== 'object' || p === null) throw new Error('no persistence');
  return p as RetainedPersistence;
}

const retained = (topic: string, payload: string) => ({
  cmd: 'publish' as const,
  topic,
  payload: Buffer.from(payload),
  qos: 1 as const,
  retain: true,
  dup: false,
});

async function topics(stream: Readable): Promise<string[]> {
  const out: string[] = [];
  for await (const p of stream) out.push((p as { topic: string }).topic);
  return out;
}

async function fill(p: RetainedPersistence, stations: number): Promise<void> {
  for (let i = 0; i < stations; i++) {
    const id = `BENCH-${String(i).padStart(5, '0')}`;
    await p.storeRetained(retained(topicFor(id, 'state'), '{"breaker":"open"}'));
    await p.storeRetained(retained(topicFor(id, 'conn'), '{"online":true}'));
  }
}

describe('retained-message index on aedes persistence', () => {
  it('tells wildcard filters from exact topics', () => {
    expect(isWildcardFree('ev/v1/st/A-1/cmd')).toBe(true);
    expect(isWildcardFree('ev/v1/st/+/state')).toBe(false);
    expect(isWildcardFree('ev/#')).toBe(false);
  });

  it('answers exact topics from the index and wildcards by the original scan, with the same results', async () => {
    const plain = await aedesPersistence();
    const indexed = await aedesPersistence();
    const index = indexRetained(indexed);
    for (const p of [plain, indexed]) {
      await fill(p, 50);
      await p.storeRetained(retained('$SYS/x/uptime', '1'));
    }
    const cases = [
      [topicFor('BENCH-00007', 'state')],
      [topicFor('BENCH-00007', 'cmd')],
      ['ev/v1/st/+/conn'],
      ['#'],
      [topicFor('BENCH-00001', 'conn'), 'ev/v1/st/BENCH-00002/+', topicFor('BENCH-00003', 'state')],
    ];
    for (const patterns of cases) {
      expect(await topics(indexed.createRetainedStreamCombi(patterns))).toEqual(
        await topics(plain.createRetainedStreamCombi(patterns)),
      );
    }
    expect(await topics(indexed.createRetainedStream(topicFor('BENCH-00009', 'conn')))).toEqual([
      topicFor('BENCH-00009', 'conn'),
    ]);
    // Wildcards keep aedes' own matching, whatever it does (its memory scan lets `#` match `$SYS/…`).
    expect(await topics(indexed.createRetainedStreamCombi(['#']))).toHaveLength(101);
    expect(index.stats()).toEqual({ size: 101, exactLookups: 5, wildcardScans: 4 });
  });

  it('replaces a retained message and clears it on an empty payload, in index and scan alike', async () => {
    const p = await aedesPersistence();
    const index = indexRetained(p);
    const t = topicFor('TKY-001', 'state');
    await p.storeRetained(retained(t, '{"breaker":"open"}'));
    await p.storeRetained(retained(t, '{"breaker":"closed"}'));
    const payloads = async (pattern: string) => {
      const out: string[] = [];
      for await (const x of p.createRetainedStreamCombi([pattern]))
        out.push(String((x as { payload: Buffer }).payload));
      return out;
    };
    expect(await payloads(t)).toEqual(['{"breaker":"closed"}']);
    expect(await payloads('ev/v1/st/+/state')).toEqual(['{"breaker":"closed"}']);
    await p.storeRetained(retained(t, ''));
    expect(await payloads(t)).toEqual([]);
    expect(await payloads('ev/v1/st/+/state')).toEqual([]);
    expect(index.stats().size).toBe(0);
  });

  it('stores a copy: a packet changed after storing does not change what is retained', async () => {
    const p = await aedesPersistence();
    indexRetained(p);
    const packet = retained(topicFor('TKY-002', 'conn'), '{"online":true}');
    await p.storeRetained(packet);
    packet.topic = 'elsewhere';
    expect(await topics(p.createRetainedStreamCombi([topicFor('TKY-002', 'conn')]))).toEqual([
      topicFor('TKY-002', 'conn'),
    ]);
  });

  it('installs on a broker, and refuses an object that is not a retained-message persistence', async () => {
    const broker = await Aedes.createBroker();
    brokers.push(broker);
    expect(indexBrokerRetained(broker).stats().size).toBe(0);
    const fake = Object.assign(Object.create(null), { persistence: {} });
    expect(() => indexBrokerRetained(fake)).toThrow(/retained-message API/);
  });

  // Micro-measure: one SUBSCRIBE's retained lookup with 5,000 stations' retained messages (10,000).
  it('makes an exact-topic lookup independent of how many messages are retained', async () => {
    const plain = await aedesPersistence();
    const indexed = await aedesPersistence();
    indexRetained(indexed);
    await fill(plain, 5_000);
    await fill(indexed, 5_000);
    const perLookupMs = async (p: RetainedPersistence, n: number) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        await topics(p.createRetainedStreamCombi([topicFor(`BENCH-${String(i).padStart(5, '0')}`, 'cmd')]));
      }
      return (performance.now() - t0) / n;
    };
    const scanMs = await perLookupMs(plain, 20);
    const indexMs = await perLookupMs(indexed, 2_000);
    process.stderr.write(
      `[retained-index] 10,000 retained: exact lookup ${scanMs.toFixed(3)} ms by scan, ${indexMs.toFixed(4)} ms by index\n`,
    );
    // Measured 4–9 ms vs ~0.01 ms here; a loose bound so a busy machine cannot make it flaky.
    expect(indexMs * 20).toBeLessThan(scanMs);
  });
});
