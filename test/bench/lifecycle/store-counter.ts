/**
 * Counts every call the backend sends to DynamoDB: one middleware at the `initialize` step of the
 * client every repository shares (the DocumentClient uses the same middleware stack), so a call
 * counts once whatever the SDK retries underneath.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface StoreCounter {
  total(): number;
  /** Calls per command and table (`GetItem ev-sessions`); multi-table commands by command only. */
  byCommand(): Record<string, number>;
  /** Round-trip ms per command and table (as seen by the backend, queueing included): p50 / p99 / max. */
  latencyByCommand(): Record<string, string>;
  reset(): void;
}

/** `trace` (BENCH_TRACE_CALLS=N) prints the first N calls with their key and expression, to see the sequence. */
export function countStoreCalls(
  client: DynamoDBClient,
  trace?: { limit: number; print: (line: string) => void },
): StoreCounter {
  let counts = new Map<string, number>();
  let latencies = new Map<string, number[]>();
  let traced = 0;
  const traceDone = new WeakMap<object, (end: number) => void>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        TableName?: unknown;
        Key?: unknown;
        RequestItems?: Record<string, { Keys?: unknown[] }>;
        UpdateExpression?: unknown;
        ConditionExpression?: unknown;
      };
      const table = typeof input.TableName === 'string' ? ` ${input.TableName}` : '';
      const name = `${(context.commandName ?? 'unknown').replace(/Command$/, '')}${table}`;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      if (trace && traced < trace.limit) {
        traced++;
        const what = JSON.stringify({
          key:
            input.Key ??
            Object.entries(input.RequestItems ?? {}).flatMap(([t, r]) => (r.Keys ?? []).map((k) => ({ [t]: k }))),
          update: input.UpdateExpression,
          cond: input.ConditionExpression,
        });
        const from = (process.env.BENCH_TRACE_NO_STACK ? '' : (new Error().stack ?? ''))
          .split('\n')
          .filter((l) => /functions\/src|infra\/local/.test(l) && !/direct-wire|item-reader/.test(l))
          .slice(0, 4)
          .map((l) =>
            l
              .trim()
              .replace(/^at /, '')
              .replace(/\(.*\/(functions|infra)\//, '($1/'),
          )
          .join(' < ');
        const at = performance.now();
        const line = `${name} ${what.slice(0, 120)} ← ${from}`;
        const started = at;
        traceDone.set(args, (end: number) =>
          trace.print(
            `  [${(performance.timeOrigin + started).toFixed(1)} → ${(performance.timeOrigin + end).toFixed(1)} ms] ${line}`,
          ),
        );
      }
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        traceDone.get(args)?.(performance.now());
        const list = latencies.get(name) ?? [];
        list.push(performance.now() - started);
        latencies.set(name, list);
      }
    },
    { step: 'initialize', name: 'benchStoreCallCounter' },
  );
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
