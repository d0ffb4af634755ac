/**
 * Counts and times every call the backend sends to DynamoDB: an observer on the local stack's direct
 * wire, which every repository sends through, so a call counts once whatever is retried underneath.
 */
import type { DirectWire } from '../../../infra/local/dynamodb/direct-wire.js';

export interface StoreCounter {
  total(): number;
  /** Calls per command and table (`GetItem ev-sessions`); multi-table commands by command only. */
  byCommand(): Record<string, number>;
  /** Round-trip ms per command and table (as seen by the backend, queueing included): p50 / p99 / max. */
  latencyByCommand(): Record<string, string>;
  reset(): void;
}

interface SentInput {
  TableName?: unknown;
  Key?: unknown;
  RequestItems?: Record<string, { Keys?: unknown[] }>;
  UpdateExpression?: unknown;
  ConditionExpression?: unknown;
}

/**
 * `trace` (BENCH_TRACE_CALLS=N) prints the first N calls after each reset with their start and end
 * (epoch ms, to line up with the drivers' `sentAtMs`), keys and expressions, to see the sequence.
 */
export function countStoreCalls(
  wire: DirectWire,
  trace?: { limit: number; print: (line: string) => void },
): StoreCounter {
  let counts = new Map<string, number>();
  let latencies = new Map<string, number[]>();
  let traced = 0;
  wire.observe(({ operation, input, ms }) => {
    const sent = input as SentInput;
    const name = typeof sent.TableName === 'string' ? `${operation} ${sent.TableName}` : operation;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const list = latencies.get(name) ?? [];
    list.push(ms);
    latencies.set(name, list);
    if (trace && traced < trace.limit) {
      traced++;
      const keys =
        sent.Key ??
        Object.entries(sent.RequestItems ?? {}).flatMap(([t, r]) => (r.Keys ?? []).map((k) => ({ [t]: k })));
      const what = JSON.stringify({ keys, update: sent.UpdateExpression, cond: sent.ConditionExpression });
      const end = performance.timeOrigin + performance.now();
      trace.print(`  [${(end - ms).toFixed(1)} → ${end.toFixed(1)} ms] ${name} ${what.slice(0, 200)}`);
    }
  });
  return {
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    byCommand: () => Object.fromEntries([...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
    latencyByCommand: () =>
      Object.fromEntries(
        [...latencies.entries()]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([name, list]) => {
            const sorted = [...list].sort((a, b) => a - b);
            const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
            return [name, `${at(50).toFixed(1)} / ${at(99).toFixed(1)} / ${at(100).toFixed(1)}`];
          }),
      ),
    reset: () => {
      traced = 0;
      counts = new Map();
      latencies = new Map();
    },
  };
}
