/**
 * The drivers, in a process of their own (forked by lifecycle.bench.ts): clients are not the system,
 * so their HTTP, WebSocket and JSON work must not share the stack's event loop. Protocol over IPC:
 * child → `warm` (cards saved, warm-up sessions done) · parent → `go` · child → `done` with every result.
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { tokensFor } from '../../support/cognito-tokens.js';
import { type DriverClient, openDriver } from './driver-client.js';
import { runSession, type SessionResult } from './session-run.js';

/** Where bench drivers reach the stack, and the stations they may use (lifecycle and soak). */
export const StackAccess = z.object({
  graphqlUrl: z.string(),
  realtimeUrl: z.string(),
  cognitoEndpoint: z.string(),
  userPoolId: z.string(),
  clientId: z.string(),
  stationIds: z.array(z.string()),
});

export const DriversConfig = StackAccess.extend({
  seconds: z.number(),
  /** Unmeasured loops after the first session, so the JIT (Node's and DynamoDB Local's JVM) reaches steady state. */
  warmupSeconds: z.number(),
  chargeMs: z.number(),
  timeoutMs: z.number(),
  card: z.string(),
  subscribe: z.enum(['driver', 'session']),
});
export type DriversConfig = z.infer<typeof DriversConfig>;

export const SessionResultSchema = z.object({
  sessionId: z.string(),
  energizeMs: z.number().optional(),
  phases: z
    .object({ startedMs: z.number(), subscribedMs: z.number().optional(), readMs: z.number().optional() })
    .optional(),
  paidMs: z.number().optional(),
  paidSeen: z.number(),
  usedCheckout: z.boolean(),
  sentAtMs: z.number().optional(),
  chargingByRead: z.boolean(),
  error: z.string().optional(),
}) satisfies z.ZodType<SessionResult>;

export const ChildMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('warm'), warmup: z.array(SessionResultSchema) }),
  z.object({ type: z.literal('done'), measured: z.array(SessionResultSchema), elapsedS: z.number() }),
  z.object({ type: z.literal('failed'), error: z.string() }),
]);
export type ChildMessage = z.infer<typeof ChildMessage>;

export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Resolves once the message is handed to the channel: disconnecting earlier can drop a large one. */
function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

export async function runDrivers(cfg: DriversConfig): Promise<void> {
  const drivers: DriverClient[] = [];
  try {
    const pool = { userPoolId: cfg.userPoolId, clientId: cfg.clientId };
    const tag = Date.now().toString(36);
    drivers.push(
      ...(await mapLimit(cfg.stationIds, 4, async (_id, i) => {
        const tokens = await tokensFor(cfg.cognitoEndpoint, pool, `bench-${tag}-${i}@example.com`);
        const driver = await openDriver(cfg.graphqlUrl, cfg.realtimeUrl, tokens.accessToken);
        if (cfg.subscribe === 'driver') await driver.watchMine();
        return driver;
      })),
    );
    const opts = { chargeMs: cfg.chargeMs, timeoutMs: cfg.timeoutMs, card: cfg.card, subscribe: cfg.subscribe };
    const stationOf = (i: number): string => cfg.stationIds[i] ?? '';
    /** Every driver runs sessions back to back for `seconds`; results go to `into`. */
    const loop = async (seconds: number, into: SessionResult[]) => {
      const endAt = performance.now() + seconds * 1000;
      await Promise.all(
        drivers.map(async (d, i) => {
          while (performance.now() < endAt) {
            const r = await runSession(d, stationOf(i), opts);
            into.push(r);
            if (r.error) break; // the station may be stuck with this session: this driver stops
          }
        }),
      );
    };
    const warmup = await mapLimit(drivers, 8, (d, i) => runSession(d, stationOf(i), opts));
    await loop(cfg.warmupSeconds, warmup);
    const go = new Promise<void>((resolve) => process.once('message', () => resolve()));
    await send({ type: 'warm', warmup });
    await go;
    const t0 = performance.now();
    const measured: SessionResult[] = [];
    await loop(cfg.seconds, measured);
    await send({ type: 'done', measured, elapsedS: (performance.now() - t0) / 1000 });
  } catch (e) {
    await send({ type: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  } finally {
    for (const d of drivers) d.close();
  }
}
