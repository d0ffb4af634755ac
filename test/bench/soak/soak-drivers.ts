/**
 * The soak's drivers, in a process of their own (forked by soak.bench.ts, as in the lifecycle bench):
 * each saves a card once through hosted Checkout, then, at a steady overall rate, takes a free station
 * at random and runs start → CHARGING → stop → PAID on it. Results stream to the parent one by one.
 * IPC: child → `warm` · parent → `go` · child → `begin` / `session` … · parent → `stop` · child → `done`.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { seededRng } from '../../../firmware-sim/src/rng.js';
import { tokensFor } from '../../support/cognito-tokens.js';
import { type DriverClient, openDriver } from '../lifecycle/driver-client.js';
import { mapLimit, SessionResultSchema, StackAccess } from '../lifecycle/drivers-role.js';
import { runSession } from '../lifecycle/session-run.js';

export const SoakDriversConfig = StackAccess.extend({
  drivers: z.number().int().positive(),
  ratePerSec: z.number().positive(),
  chargeMs: z.number(),
  timeoutMs: z.number(),
  /** A station whose session went wrong is left alone this long (it may still be bound to that session). */
  quarantineMs: z.number(),
  card: z.string(),
  seed: z.number(),
});
export type SoakDriversConfig = z.infer<typeof SoakDriversConfig>;

export const SoakRun = z.object({
  result: SessionResultSchema,
  stationId: z.string(),
  /** Epoch ms: start asked, stop asked (if it got there), outcome known. */
  fromMs: z.number(),
  stopMs: z.number().optional(),
  toMs: z.number(),
});
export type SoakRun = z.infer<typeof SoakRun>;

export const SoakChildMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('warm'), warmup: z.array(SoakRun) }),
  z.object({ type: z.literal('begin'), stationId: z.string(), atMs: z.number() }),
  z.object({ type: z.literal('session'), run: SoakRun }),
  z.object({ type: z.literal('done'), elapsedS: z.number() }),
  z.object({ type: z.literal('failed'), error: z.string() }),
]);
export type SoakChildMessage = z.infer<typeof SoakChildMessage>;

/** Resolves once the message is handed to the channel: disconnecting earlier can drop a large one. */
function send(message: SoakChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/** Start slots at a fixed rate; a slot nobody was free to take is skipped, not made up in a burst later. */
class Pacer {
  private next = performance.now();
  constructor(private readonly intervalMs: number) {}
  async slot(): Promise<void> {
    const now = performance.now();
    const at = Math.max(this.next, now);
    this.next = at + this.intervalMs;
    if (at > now) await sleep(at - now);
  }
}

async function timedSession(
  d: DriverClient,
  stationId: string,
  opts: { chargeMs: number; timeoutMs: number; card: string },
): Promise<SoakRun> {
  const fromMs = Date.now();
  const result = await runSession(d, stationId, { ...opts, subscribe: 'session' });
  const toMs = Date.now();
  // runSession times the paid phase from the stop it sent: recover that moment for fault attribution.
  const stopMs =
    result.paidMs !== undefined
      ? toMs - result.paidMs
      : result.energizeMs !== undefined
        ? fromMs + result.energizeMs + opts.chargeMs
        : undefined;
  return { result, stationId, fromMs, toMs, ...(stopMs === undefined ? {} : { stopMs: Math.round(stopMs) }) };
}

export async function runSoakDrivers(cfg: SoakDriversConfig): Promise<void> {
  const drivers: DriverClient[] = [];
  let stopping = false;
  process.on('message', (m) => {
    if (z.object({ type: z.literal('stop') }).safeParse(m).success) stopping = true;
  });
  try {
    const pool = { userPoolId: cfg.userPoolId, clientId: cfg.clientId };
    const tag = Date.now().toString(36);
    drivers.push(
      ...(await mapLimit(Array.from({ length: cfg.drivers }), 4, async (_x, i) => {
        const tokens = await tokensFor(cfg.cognitoEndpoint, pool, `soak-${tag}-${i}@example.com`);
        return openDriver(cfg.graphqlUrl, cfg.realtimeUrl, tokens.accessToken);
      })),
    );
    const opts = { chargeMs: cfg.chargeMs, timeoutMs: cfg.timeoutMs, card: cfg.card };
    // Warm-up: each driver's first session saves its card through hosted Checkout (not measured).
    const warmup = await mapLimit(drivers, 8, (d, i) =>
      timedSession(d, cfg.stationIds[i % cfg.stationIds.length] ?? '', opts),
    );
    const go = new Promise<void>((resolve) => {
      const onGo = (m: unknown): void => {
        if (!z.object({ type: z.literal('go') }).safeParse(m).success) return;
        process.off('message', onGo);
        resolve();
      };
      process.on('message', onGo);
    });
    await send({ type: 'warm', warmup });
    await go;

    const t0 = performance.now();
    const rng = seededRng(cfg.seed);
    const busy = new Set<string>();
    const quarantined = new Map<string, number>();
    const pickStation = (): string | undefined => {
      const now = Date.now();
      for (let tries = 0; tries < 50; tries++) {
        const id = cfg.stationIds[Math.floor(rng.next() * cfg.stationIds.length)];
        if (id === undefined || busy.has(id)) continue;
        if ((quarantined.get(id) ?? 0) > now) continue;
        quarantined.delete(id);
        return id;
      }
      return undefined;
    };
    const pacer = new Pacer(1000 / cfg.ratePerSec);
    await Promise.all(
      drivers.map(async (d) => {
        while (!stopping) {
          await pacer.slot();
          if (stopping) break;
          const stationId = pickStation();
          if (!stationId) continue;
          busy.add(stationId);
          await send({ type: 'begin', stationId, atMs: Date.now() });
          const run = await timedSession(d, stationId, opts);
          busy.delete(stationId);
          if (run.result.error) quarantined.set(stationId, Date.now() + cfg.quarantineMs);
          await send({ type: 'session', run });
        }
      }),
    );
    await send({ type: 'done', elapsedS: (performance.now() - t0) / 1000 });
  } catch (e) {
    await send({ type: 'failed', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  } finally {
    for (const d of drivers) d.close();
  }
}
