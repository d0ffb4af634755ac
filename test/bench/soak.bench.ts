/**
 * Soak benchmark: `npm run bench:soak -- --stations 500 --minutes 10`.
 *
 * The whole local stack in this process (startLocalStack, DynamoDB Local ON DISK), N simulated stations,
 * and drivers in a child process (soak/soak-drivers.ts) with cards on file running start → charge → stop
 * → PAID at a steady modest rate on random free stations, while random faults are switched on
 * throughout from a seeded plan (soak/fault-plan.ts, applied by soak/fault-driver.ts): station ack loss
 * and duplicate acks, station disconnects, Stripe 5xx and timeouts, duplicated and delayed webhooks.
 * RSS of this (the stack's) process is sampled every 10 s, each time right after a full GC, and growth is
 * judged after the first 20 % (warm-up); the V8 heap in use after that GC is reported beside it.
 * At the end the faults stop, in-flight sessions get time to settle (the sweeper re-drives them), the
 * store, processor and stations are audited (soak/soak-audit.ts) and each anomaly is classified as
 * injected (its session or station was exposed to a fault) or unexplained.
 * The LAST line of output is one JSON object: {stations, minutes, seed, sessions, faultsInjected,
 * anomalies, unexplainedAnomalies, energizeP99Ms, paidP99Ms, rssWarmMb, rssEndMb, rssGrowthPct, lostOrDoubled} (plus heapWarmMb, heapEndMb).
 * Options: --seed N, --drivers 24, --rate 2 (session starts/s), --faults-per-min 6, --charge-ms 2000,
 * --report-ms 1000, --settle-s 180, --sample-s 10.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { z } from 'zod';
import { OPERATOR_MAX_LIMIT } from '../../functions/src/use-cases/operator-sessions.js';
import { LocalConfigSchema } from '../../infra/local/stack/local-config.js';
import { startLocalStack } from '../../infra/local/stack/local-stack.js';
import { BENCH_CARD, ephemeralPorts, setBenchTariffs } from './lifecycle/bench-stack.js';
import { percentile } from './lifecycle/stats.js';
import { FaultDriver } from './soak/fault-driver.js';
import { classify, countByKind, planFaults, type SessionSpan } from './soak/fault-plan.js';
import { type RssSample, rssGrowth, rssOfPid } from './soak/rss.js';
import { auditSoak, settle } from './soak/soak-audit.js';
import { runSoakDrivers, SoakChildMessage, SoakDriversConfig, type SoakRun } from './soak/soak-drivers.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const Args = z.object({
  stations: z.coerce.number().int().min(1).max(5_000),
  minutes: z.coerce.number().min(0.1).max(240),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31),
  drivers: z.coerce.number().int().min(1).max(500),
  rate: z.coerce.number().positive().max(100),
  faultsPerMin: z.coerce.number().min(0).max(600),
  chargeMs: z.coerce.number().int().min(0).max(60_000),
  reportMs: z.coerce.number().int().min(200).max(60_000),
  settleS: z.coerce.number().int().min(0).max(1_800),
  sampleS: z.coerce.number().min(1).max(600),
});

function args() {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    strict: true,
    options: {
      stations: { type: 'string', default: '500' },
      minutes: { type: 'string', default: '10' },
      seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
      drivers: { type: 'string', default: '24' },
      rate: { type: 'string', default: '2' },
      'faults-per-min': { type: 'string', default: '6' },
      'charge-ms': { type: 'string', default: '2000' },
      'report-ms': { type: 'string', default: '1000' },
      'settle-s': { type: 'string', default: '180' },
      'sample-s': { type: 'string', default: '10' },
    },
  });
  return Args.parse({
    stations: values.stations,
    minutes: values.minutes,
    seed: values.seed,
    drivers: values.drivers,
    rate: values.rate,
    faultsPerMin: values['faults-per-min'],
    chargeMs: values['charge-ms'],
    reportMs: values['report-ms'],
    settleS: values['settle-s'],
    sampleS: values['sample-s'],
  });
}

/** Short timeouts so a faulted session is re-driven within the run rather than minutes later. */
const ACK_TIMEOUT_SEC = 10;
const TIMEOUTS = { stopResendAfterMs: 5_000, paymentRedriveAfterMs: 10_000 };
const SWEEP_MS = 2_000;
/** The backend's Stripe client gives up after 20 s (adapters/stripe/stripe-client.ts). */
const STRIPE_CLIENT_TIMEOUT_MS = 20_000;
const WARMUP_SHARE = 0.2;

const log = (line: string) => process.stderr.write(`${line}\n`);

/** A full V8 collection on demand, without needing `--expose-gc` on the command line. */
const fullGc: () => void = (() => {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  return typeof gc === 'function' ? () => void gc() : () => undefined;
})();

async function main(): Promise<void> {
  const a = args();
  const durationMs = Math.round(a.minutes * 60_000);
  log(`soak: ${a.stations} stations, ${a.minutes} min, seed ${a.seed} (repeat with --seed ${a.seed})`);
  const dataDir = await mkdtemp(join(tmpdir(), 'ev-bench-soak-'));
  const ports = ephemeralPorts();
  const cfg = LocalConfigSchema.parse({
    ...ports,
    EV_DATA_DIR: dataDir,
    EV_STATIONS: String(a.stations),
    EV_REPORT_MS: String(a.reportMs),
    EV_SWEEP_MS: String(SWEEP_MS),
    EV_ACK_TIMEOUT_SEC: String(ACK_TIMEOUT_SEC),
    EV_WEB: 'off',
    EV_DEMO_DRIVER: 'off',
    EV_LOG_LEVEL: 'error',
    EV_DYNAMODB_JAVA_OPTS: process.env.BENCH_JAVA_OPTS ?? '-Xmx512m -XX:+UseSerialGC',
  });
  log(`starting the local stack (store on disk in ${dataDir})…`);
  const stack = await startLocalStack({ ...cfg, dataDir }, (line) => log(`  ${line}`)).catch(async (e: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  });
  let child: ChildProcess | undefined;
  let faults: FaultDriver | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let summaryLine: string | undefined;
  try {
    const stripe = stack.stripe;
    if (!stripe) throw new Error('the soak needs the Stripe emulator (EV_STRIPE=emulator)');
    Object.assign(stack.deps.ports.config, TIMEOUTS);
    await setBenchTariffs(stack);
    const nodes = stack.simulator.fleet.nodes;

    const config: SoakDriversConfig = {
      graphqlUrl: stack.urls.graphql,
      realtimeUrl: stack.urls.realtime,
      cognitoEndpoint: stack.urls.cognito,
      userPoolId: stack.urls.userPoolId,
      clientId: stack.urls.clientId,
      stationIds: stack.stations.map((s) => s.id),
      drivers: Math.min(a.drivers, a.stations),
      ratePerSec: a.rate,
      chargeMs: a.chargeMs,
      timeoutMs: 90_000,
      quarantineMs: 120_000,
      card: BENCH_CARD,
      seed: a.seed + 1,
    };
    log(`${config.drivers} drivers sign up and save a card through hosted Checkout (warm-up)…`);
    const spawned = fork(fileURLToPath(import.meta.url), ['--role', 'drivers', '--config', JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child = spawned;
    const runs: SoakRun[] = [];
    const begun = new Map<string, number>();
    let done: ((elapsedS: number) => void) | undefined;
    let failed: ((e: Error) => void) | undefined;
    const finished = new Promise<number>((resolve, reject) => {
      done = resolve;
      failed = reject;
    });
    let warm: ((w: SoakRun[]) => void) | undefined;
    const warmed = new Promise<SoakRun[]>((resolve) => {
      warm = resolve;
    });
    spawned.on('message', (raw) => {
      const m = SoakChildMessage.parse(raw);
      if (m.type === 'warm') warm?.(m.warmup);
      else if (m.type === 'begin') begun.set(m.stationId, m.atMs);
      else if (m.type === 'session') {
        runs.push(m.run);
        begun.delete(m.run.stationId);
      } else if (m.type === 'done') done?.(m.elapsedS);
      else failed?.(new Error(`drivers failed: ${m.error}`));
    });
    spawned.on('exit', (code) => failed?.(new Error(`the drivers' process exited (${code})`)));
    const warmup = await Promise.race([warmed, finished.then(() => [])]);
    const warmFailed = warmup.filter((r) => r.result.error);
    if (warmFailed.length > 0) throw new Error(`warm-up failed: ${warmFailed.map((r) => r.result.error).join('; ')}`);

    const plan = planFaults({ seed: a.seed, durationMs, perMinute: a.faultsPerMin });
    log(`fault plan (seed ${a.seed}): ${plan.length} faults ${JSON.stringify(countByKind(plan.map((f) => f.kind)))}`);
    faults = new FaultDriver({
      nodes,
      stripe: stripe.faults,
      busyStations: () => [...begun.keys()],
      graceMs: ACK_TIMEOUT_SEC * 1000 + TIMEOUTS.paymentRedriveAfterMs + 2 * SWEEP_MS + 5_000,
      stripeClientTimeoutMs: STRIPE_CLIENT_TIMEOUT_MS,
      log: (line) => log(`  ${line}`),
    });
    const load = loadavg();
    const samples: RssSample[] = [];
    const jvm: RssSample[] = [];
    const t0 = Date.now();
    const heap: RssSample[] = [];
    const sample = (): void => {
      const tMs = Date.now() - t0;
      // A full collection first: otherwise each sample lands at a random point of V8's heap sawtooth
      // (a 10-minute trial run swung 218 → 344 → 271 MB between collections) and growth means nothing.
      fullGc();
      const mem = process.memoryUsage();
      samples.push({ tMs, rssBytes: mem.rss });
      heap.push({ tMs, rssBytes: mem.heapUsed });
      const j = stack.children.dynamodb === undefined ? undefined : rssOfPid(stack.children.dynamodb);
      if (j !== undefined) jvm.push({ tMs, rssBytes: j });
    };
    sampler = setInterval(() => {
      sample();
      const last = samples.at(-1);
      log(
        `  t=${Math.round((last?.tMs ?? 0) / 1000)} s: ${runs.length} sessions, ` +
          `RSS ${((last?.rssBytes ?? 0) / 2 ** 20).toFixed(0)} MB, load ${loadavg()[0]?.toFixed(2)}`,
      );
    }, a.sampleS * 1000);
    log(`soaking for ${a.minutes} min (load average at start ${load.map((l) => l.toFixed(2)).join(' ')})…`);
    spawned.send({ type: 'go' });
    faults.start(plan);
    await Promise.race([new Promise((r) => setTimeout(r, durationMs)), finished]);
    sample();
    clearInterval(sampler);
    sampler = undefined;
    const loadEnd = loadavg();
    faults.stop();
    log('stopping the drivers (in-flight sessions finish)…');
    spawned.send({ type: 'stop' });
    const elapsedS = await finished;
    log(`settling (up to ${a.settleS} s for in-flight sessions)…`);
    const left = await settle(stack.deps.ports, a.settleS * 1000);
    if (left.length > 0) log(`  ${left.length} sessions still in flight after ${a.settleS} s`);

    const all = [...warmup, ...runs];
    const raised = await stack.deps.operator.operatorAlerts({ limit: OPERATOR_MAX_LIMIT });
    const alerts = raised.ok ? raised.value : [];
    if (alerts.length >= OPERATOR_MAX_LIMIT)
      log(`  the alert feed keeps ${OPERATOR_MAX_LIMIT}: older alerts not audited`);
    const result = await auditSoak(stack.deps.ports, nodes, all, alerts);
    const spans = new Map<string, SessionSpan>(
      all
        .filter((r) => r.result.sessionId)
        .map((r) => [
          r.result.sessionId,
          {
            sessionId: r.result.sessionId,
            stationId: r.stationId,
            fromMs: r.fromMs,
            toMs: r.toMs,
            ...(r.stopMs === undefined ? {} : { stopMs: r.stopMs }),
          },
        ]),
    );
    const classified = classify(result.anomalies, spans, faults.windows);
    const measured = runs;
    const ok = measured.filter((r) => !r.result.error);
    const energize = measured.flatMap((r) => (r.result.energizeMs === undefined ? [] : [r.result.energizeMs]));
    const paid = ok.flatMap((r) => (r.result.paidMs === undefined ? [] : [r.result.paidMs]));
    const growth = rssGrowth(samples, durationMs * WARMUP_SHARE);
    const jvmGrowth = rssGrowth(jvm, durationMs * WARMUP_SHARE);
    const heapGrowth = rssGrowth(heap, durationMs * WARMUP_SHARE);

    log(
      `sessions by final state: ${JSON.stringify(result.byState)}; succeeded PaymentIntents ${result.succeededIntents}`,
    );
    log(`faults injected: ${JSON.stringify(faults.injected)}`);
    log(`anomalies by kind: injected ${JSON.stringify(countByKind(classified.injected.map((x) => x.kind)))}`);
    for (const x of classified.injected.slice(0, 15))
      log(
        `  injected: ${x.kind} ${x.subject} — ${x.detail} [${x.faults.slice(0, 5).join(' ')}${x.faults.length > 5 ? ' …' : ''}]`,
      );
    for (const x of classified.unexplained.slice(0, 30)) log(`  UNEXPLAINED: ${x.kind} ${x.subject} — ${x.detail}`);
    log(
      `RSS (stack process) samples ${samples.map((s) => Math.round(s.rssBytes / 2 ** 20)).join(' ')} MB; ` +
        `V8 heap used after GC ${heap.map((s) => Math.round(s.rssBytes / 2 ** 20)).join(' ')} MB; ` +
        `DynamoDB Local JVM ${jvmGrowth ? `${jvmGrowth.warmMb} → ${jvmGrowth.endMb} MB` : 'n/a'}`,
    );
    log(
      `${ok.length} of ${measured.length} measured sessions ok in ${elapsedS.toFixed(0)} s ` +
        `(${(ok.length / elapsedS).toFixed(2)}/s); energize p50 ${percentile(energize, 50)} ms, paid p50 ${percentile(paid, 50)} ms; ` +
        `load average ${load.map((l) => l.toFixed(2)).join(' ')} at start, ${loadEnd.map((l) => l.toFixed(2)).join(' ')} at the end`,
    );
    const summary = {
      stations: a.stations,
      minutes: a.minutes,
      seed: a.seed,
      sessions: ok.length,
      faultsInjected: faults.windows.length,
      anomalies: result.anomalies.length,
      unexplainedAnomalies: classified.unexplained.length,
      energizeP99Ms: percentile(energize, 99),
      paidP99Ms: percentile(paid, 99),
      rssWarmMb: growth?.warmMb ?? null,
      rssEndMb: growth?.endMb ?? null,
      rssGrowthPct: growth?.growthPct ?? null,
      heapWarmMb: heapGrowth?.warmMb ?? null,
      heapEndMb: heapGrowth?.endMb ?? null,
      lostOrDoubled: result.lostOrDoubled,
    };
    summaryLine = JSON.stringify(summary);
  } finally {
    if (sampler) clearInterval(sampler);
    faults?.stop();
    if (child && child.exitCode === null) child.kill('SIGTERM');
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  // Written once the stack is down, so no log line of its shutdown can come after it.
  if (summaryLine) process.stdout.write(`${summaryLine}\n`);
}

const role = process.argv.indexOf('--role');
if (role >= 0 && process.argv[role + 1] === 'drivers') {
  const config = SoakDriversConfig.parse(JSON.parse(process.argv[process.argv.indexOf('--config') + 1] ?? '{}'));
  void runSoakDrivers(config).finally(() => process.disconnect?.());
} else {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      log(`soak bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exit(1);
    },
  );
}
