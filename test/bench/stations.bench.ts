/**
 * Station benchmark: `npm run bench:stations -- --stations N --seconds S`.
 *
 * Three processes, as in production where they are separate machines/services: the broker (local
 * IoT stand-in), the simulator (N stations, 1 Hz meter reports) and the backend (rule emulator →
 * the station-events handler). The backend measures report-to-handler lag (report `at` → the sink
 * sees it) and the command round trip under load (BreakerControl publish → the ack reaches the sink).
 * Every process reports its own CPU time and peak RSS over the measured window. The LAST line of
 * output is one JSON object: {stations, seconds, reportsPerSec, p50LagMs, p99LagMs,
 * cmdRoundTripP50Ms, cmdRoundTripP99Ms, cpuPct, rssMb}.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { runBackend } from '../../firmware-sim/src/bench/backend-role.js';
import { runBroker } from '../../firmware-sim/src/bench/broker-role.js';
import { type RoleStats, send, waitFor } from '../../firmware-sim/src/bench/ipc.js';
import { runSim } from '../../firmware-sim/src/bench/sim-role.js';

const SECRET = 'bench-station-secret';
const BACKEND = { username: 'bench-backend', password: 'bench-backend-password' };
const PREFIX = 'BENCH';

const Args = z.object({
  role: z.enum(['main', 'broker', 'sim', 'backend']),
  stations: z.coerce.number().int().min(1).max(20_000),
  seconds: z.coerce.number().int().min(1).max(3_600),
  warmup: z.coerce.number().int().min(0).max(600),
  cmdPerSec: z.coerce.number().min(0).max(1_000),
  connectRate: z.coerce.number().int().min(1),
  mqttUrl: z.string().optional(),
  publishEndpoint: z.string().optional(),
});

function args() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      role: { type: 'string', default: 'main' },
      stations: { type: 'string', default: '500' },
      seconds: { type: 'string', default: '15' },
      warmup: { type: 'string', default: '5' },
      'cmd-per-sec': { type: 'string', default: '20' },
      'connect-rate': { type: 'string', default: '1000' },
      'mqtt-url': { type: 'string' },
      'publish-endpoint': { type: 'string' },
    },
  });
  return Args.parse({
    ...values,
    cmdPerSec: values['cmd-per-sec'],
    connectRate: values['connect-rate'],
    mqttUrl: values['mqtt-url'],
    publishEndpoint: values['publish-endpoint'],
  });
}

function spawnRole(role: string, extra: string[]): ChildProcess {
  const self = fileURLToPath(import.meta.url);
  // BENCH_CPU_PROF=<dir>: each role writes a V8 CPU profile there on exit (open in Chrome DevTools).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // Each role churns thousands of short-lived message objects per second: with V8's default 16 MiB
  // semi-space they are promoted and collected by full mark-compact pauses that became the p99
  // (lag p99 206 ms → 38 ms, command p99 224 ms → 49 ms with a 128 MiB young generation; RESULTS.md).
  const semiSpace = process.env.BENCH_SEMI_SPACE_MB ?? '128';
  const child = fork(self, ['--role', role, ...extra], {
    execArgv: ['--import', 'tsx', '--max-old-space-size=2048', `--max-semi-space-size=${semiSpace}`, ...prof],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    if (child.connected) send(child, { type: 'stop' });
    else child.kill('SIGTERM');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(a: ReturnType<typeof args>): Promise<void> {
  const children: ChildProcess[] = [];
  const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
  try {
    const common = ['--stations', String(a.stations), '--cmd-per-sec', String(a.cmdPerSec)];
    const broker = spawnRole('broker', common);
    children.push(broker);
    const ready = await waitFor(broker, 'ready', 60_000);
    if (ready.type !== 'ready') throw new Error('broker did not start');
    log(`broker ${ready.mqttUrl}`);
    const urls = ['--mqtt-url', ready.mqttUrl, '--publish-endpoint', ready.publishEndpoint];
    const backend = spawnRole('backend', [...common, ...urls]);
    children.push(backend);
    await waitFor(backend, 'ready', 60_000);
    const sim = spawnRole('sim', [...common, ...urls, '--connect-rate', String(a.connectRate)]);
    children.push(sim);
    // Generous: connects slow down as retained messages pile up at the broker (see RESULTS.md).
    const started = await waitFor(sim, 'started', 120_000 + a.stations * 120);
    if (started.type === 'started') log(`${started.online}/${a.stations} stations online in ${started.ms} ms`);
    // Readings taken before a station's first CONNACK are replayed after it; let them drain.
    await sleep(a.warmup * 1000);
    for (const c of children) send(c, { type: 'measure' });
    await sleep(a.seconds * 1000);
    const results = await Promise.all(
      children.map((c) => {
        send(c, { type: 'report' });
        return waitFor(c, 'stats', 60_000);
      }),
    );
    const stats = results.flatMap((r) => (r.type === 'stats' ? [r.stats] : []));
    const byRole = Object.fromEntries(stats.map((s) => [s.role, s])) as Record<string, RoleStats>;
    const b = byRole.backend;
    if (!b?.backend) throw new Error('no backend stats');
    const cores = cpus().length;
    const cpuMs = stats.reduce((sum, s) => sum + s.cpuMs, 0);
    const windowMs = stats.reduce((m, s) => Math.max(m, s.windowMs), 1);
    process.stdout.write(
      `${JSON.stringify({
        detail: true,
        cores,
        perProcess: stats.map((s) => ({
          role: s.role,
          cpuPct: Math.round((s.cpuMs / s.windowMs) * 1000) / 10,
          rssMb: s.rssMaxMb,
          ...s.extra,
        })),
        backend: b.backend,
      })}\n`,
    );
    const result = {
      stations: a.stations,
      seconds: a.seconds,
      reportsPerSec: Math.round(b.backend.reports / (b.windowMs / 1000)),
      p50LagMs: b.backend.p50LagMs,
      p99LagMs: b.backend.p99LagMs,
      cmdRoundTripP50Ms: b.backend.cmdP50Ms,
      cmdRoundTripP99Ms: b.backend.cmdP99Ms,
      cpuPct: Math.round((cpuMs / (windowMs * cores)) * 1000) / 10,
      rssMb: Math.round(stats.reduce((sum, s) => sum + s.rssMaxMb, 0)),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await Promise.all(children.reverse().map(stopChild));
  }
}

const a = args();
const roles: Record<typeof a.role, () => Promise<void>> = {
  main: () => main(a),
  broker: () => runBroker({ secret: SECRET, backend: BACKEND }),
  sim: () =>
    runSim({
      stations: a.stations,
      prefix: PREFIX,
      secret: SECRET,
      mqttUrl: a.mqttUrl ?? '',
      connectRatePerSec: a.connectRate,
    }),
  backend: () =>
    runBackend({
      stations: a.stations,
      prefix: PREFIX,
      backend: BACKEND,
      mqttUrl: a.mqttUrl ?? '',
      publishEndpoint: a.publishEndpoint ?? '',
      cmdPerSec: a.cmdPerSec,
    }),
};
roles[a.role]().then(
  () => {
    if (a.role === 'main') process.exit(0);
  },
  (e: unknown) => {
    process.stderr.write(`[bench:${a.role}] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
