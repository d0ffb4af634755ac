import type { ChildProcess } from 'node:child_process';
import { z } from 'zod';

/** Messages between the station benchmark's orchestrator and its role processes (IPC, zod-checked). */
export const BackendStats = z.object({
  reports: z.number(),
  replayedSkipped: z.number(),
  p50LagMs: z.number(),
  p99LagMs: z.number(),
  maxLagMs: z.number(),
  cmdSent: z.number(),
  cmdAcked: z.number(),
  cmdP50Ms: z.number(),
  cmdP99Ms: z.number(),
  handlerCounters: z.record(z.string(), z.number()),
  emulator: z.record(z.string(), z.number()),
});
export type BackendStats = z.infer<typeof BackendStats>;

export const RoleStats = z.object({
  role: z.string(),
  cpuMs: z.number(),
  windowMs: z.number(),
  rssMaxMb: z.number(),
  extra: z.record(z.string(), z.unknown()),
  backend: BackendStats.optional(),
});
export type RoleStats = z.infer<typeof RoleStats>;

export const Msg = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), mqttUrl: z.string(), publishEndpoint: z.string() }),
  z.object({ type: z.literal('started'), online: z.number(), ms: z.number() }),
  z.object({ type: z.literal('measure') }),
  z.object({ type: z.literal('report') }),
  z.object({ type: z.literal('stop') }),
  z.object({ type: z.literal('stats'), stats: RoleStats }),
]);
export type Msg = z.infer<typeof Msg>;

type Endpoint = Pick<ChildProcess, 'send' | 'connected'> | NodeJS.Process;

export function send(to: Endpoint, msg: Msg): void {
  if (to.connected && to.send) to.send(msg);
}

/** Waits for the next message of `type` from a child; rejects on exit or after `timeoutMs`. */
export function waitFor(child: ChildProcess, type: Msg['type'], timeoutMs: number): Promise<Msg> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | undefined, msg?: Msg) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else if (msg) resolve(msg);
    };
    const onMessage = (raw: unknown) => {
      const m = Msg.safeParse(raw);
      if (m.success && m.data.type === type) done(undefined, m.data);
    };
    const onExit = (code: number | null) => done(new Error(`child exited (${code}) while waiting for ${type}`));
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${type}`)), timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export interface RoleHooks {
  role: string;
  onMeasure?(): void;
  extra?(): Record<string, unknown>;
  backendStats?(): BackendStats;
  stop(): Promise<void>;
}

/**
 * The child side: measures its own CPU time and peak RSS from `measure` to `report`, answers
 * `stop`, and exits when the orchestrator goes away (never an orphan holding ports).
 */
export function serveRole(h: RoleHooks): void {
  let cpu0 = process.cpuUsage();
  let t0 = Date.now();
  let rssMax = 0;
  const sample = () => {
    rssMax = Math.max(rssMax, process.memoryUsage.rss());
  };
  const sampler = setInterval(sample, 500);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(sampler);
    const force = setTimeout(() => process.exit(0), 10_000);
    try {
      await h.stop();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.on('disconnect', () => void stop());
  process.on('message', (raw: unknown) => {
    const m = Msg.safeParse(raw);
    if (!m.success) return;
    if (m.data.type === 'measure') {
      cpu0 = process.cpuUsage();
      t0 = Date.now();
      rssMax = 0;
      sample();
      h.onMeasure?.();
    } else if (m.data.type === 'report') {
      sample();
      const c = process.cpuUsage(cpu0);
      const stats: RoleStats = {
        role: h.role,
        cpuMs: (c.user + c.system) / 1000,
        windowMs: Date.now() - t0,
        rssMaxMb: Math.round(rssMax / 1_048_576),
        extra: h.extra?.() ?? {},
        ...(h.backendStats ? { backend: h.backendStats() } : {}),
      };
      send(process, { type: 'stats', stats });
    } else if (m.data.type === 'stop') {
      void stop();
    }
  });
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
}
