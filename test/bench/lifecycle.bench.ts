/**
 * Charging lifecycle benchmark: `npm run bench:lifecycle -- --drivers N --seconds S`.
 *
 * The whole local stack in this process (startLocalStack): DynamoDB Local ON DISK, the aedes broker,
 * one simulated station per driver, the Stripe emulator delivering signed webhooks, the local AppSync
 * server. The drivers run in a child process (lifecycle/drivers-role.ts): each is a Cognito user with
 * its own realtime WebSocket (lifecycle/driver-client.ts), saves a card once through hosted Checkout
 * and loops unmeasured for --warmup-seconds (10: the JITs of Node and of DynamoDB Local's JVM reach
 * steady state; the JVM runs with the full JIT here), then loops start → CHARGING → stop → PAID for
 * S seconds. Every DynamoDB
 * call the backend sends during the measured loops is counted.
 * The LAST line of output is one JSON object: {drivers, sessions, sessionsPerSec, storeCallsPerSession,
 * energizeP50Ms, energizeP99Ms, paidP50Ms, paidP99Ms, mqttRoundTripP50Ms, lostOrDoubled}.
 * Options: --charge-ms 300 (time CHARGING before the stop), --report-ms 200 (station meter interval),
 * --subscribe driver|session (default driver: each driver's `onMySessionUpdates`, open since sign-in;
 * session: `onSessionUpdate(id)` opened after startCharge answered, then one read, as before 2026-11-22 06:00).
 */

import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { LocalConfigSchema } from '../../infra/local/stack/local-config.js';
import { BACKEND_MQTT_USER, startLocalStack } from '../../infra/local/stack/local-stack.js';
import { audit } from './lifecycle/audit.js';
import { BENCH_CARD, ephemeralPorts, setBenchTariffs } from './lifecycle/bench-stack.js';
import { cpuByProcess, cpuSince } from './lifecycle/cpu.js';
import { ChildMessage, DriversConfig, runDrivers } from './lifecycle/drivers-role.js';
import { startMqttFloor } from './lifecycle/mqtt-floor.js';
import type { SessionResult } from './lifecycle/session-run.js';
import { percentile } from './lifecycle/stats.js';
import { countStoreCalls } from './lifecycle/store-counter.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const Args = z.object({
  drivers: z.coerce.number().int().min(1).max(1_000),
  seconds: z.coerce.number().int().min(1).max(3_600),
  warmupSeconds: z.coerce.number().int().min(0).max(600),
  chargeMs: z.coerce.number().int().min(0).max(60_000),
  reportMs: z.coerce.number().int().min(200).max(60_000),
  timeoutMs: z.coerce.number().int().min(1_000).max(300_000),
  subscribe: z.enum(['driver', 'session']),
});

function args() {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((a) => a !== '--'),
    strict: true,
    options: {
      drivers: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '20' },
      'warmup-seconds': { type: 'string', default: '10' },
      'charge-ms': { type: 'string', default: '300' },
      'report-ms': { type: 'string', default: '200' },
      'timeout-ms': { type: 'string', default: '30000' },
      subscribe: { type: 'string', default: 'driver' },
    },
  });
  return Args.parse({
    drivers: values.drivers,
    seconds: values.seconds,
    warmupSeconds: values['warmup-seconds'],
    chargeMs: values['charge-ms'],
    reportMs: values['report-ms'],
    timeoutMs: values['timeout-ms'],
    subscribe: values.subscribe,
  });
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const a = args();
  const dataDir = await mkdtemp(join(tmpdir(), 'ev-bench-lifecycle-'));
  const ports = ephemeralPorts();
  const cfg = LocalConfigSchema.parse({
    ...ports,
    EV_DATA_DIR: dataDir,
    EV_STATIONS: String(a.drivers),
    EV_REPORT_MS: String(a.reportMs),
    EV_WEB: 'off',
    EV_DEMO_DRIVER: 'off',
    EV_LOG_LEVEL: 'error',
    // The full JIT (C2): the default stops at C1 to start fast, which costs ~2× CPU per call in a long run.
    EV_DYNAMODB_JAVA_OPTS: process.env.BENCH_JAVA_OPTS ?? '-Xmx512m -XX:+UseSerialGC',
  });
  log(`starting the local stack (${a.drivers} stations, store on disk in ${dataDir})…`);
  const stack = await startLocalStack({ ...cfg, dataDir }, (line) => log(`  ${line}`));
  let child: ChildProcess | undefined;
  try {
    await setBenchTariffs(stack);
    const traceCalls = Number(process.env.BENCH_TRACE_CALLS ?? 0);
    if (!stack.storeWire)
      throw new Error('the lifecycle bench counts store calls on the direct wire (EV_DYNAMODB_WIRE=direct)');
    const counter = countStoreCalls(stack.storeWire, traceCalls > 0 ? { limit: traceCalls, print: log } : undefined);
    log(`${a.drivers} drivers sign up, save a card through hosted Checkout and charge once (warm-up)…`);
    const config: DriversConfig = {
      graphqlUrl: stack.urls.graphql,
      realtimeUrl: stack.urls.realtime,
      cognitoEndpoint: stack.urls.cognito,
      userPoolId: stack.urls.userPoolId,
      clientId: stack.urls.clientId,
      stationIds: stack.stations.slice(0, a.drivers).map((s) => s.id),
      seconds: a.seconds,
      warmupSeconds: a.warmupSeconds,
      chargeMs: a.chargeMs,
      timeoutMs: a.timeoutMs,
      card: BENCH_CARD,
      subscribe: a.subscribe,
    };
    const spawned = fork(fileURLToPath(import.meta.url), ['--role', 'drivers', '--config', JSON.stringify(config)], {
      // As in the stations bench: a young generation big enough that short-lived messages die young
      // (the npm script starts this process the same way).
      execArgv: ['--import', 'tsx', `--max-semi-space-size=${process.env.BENCH_SEMI_SPACE_MB ?? '128'}`],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child = spawned;
    const next = nextMessage(spawned);
    const warm = await next('warm');
    const runs: SessionResult[] = warm.warmup;
    const warmFailed = runs.filter((r) => r.error);
    if (warmFailed.length > 0) throw new Error(`warm-up failed: ${warmFailed.map((r) => r.error).join('; ')}`);

    const floor = await startMqttFloor({
      url: stack.urls.mqtt,
      username: BACKEND_MQTT_USER,
      password: stack.secrets.backendMqttPassword,
      everyMs: 50,
    });
    log(`measuring for ${a.seconds} s…`);
    const load = loadavg();
    counter.reset();
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const cpuBefore = cpuByProcess();
    spawned.send({ type: 'go' });
    const { measured, elapsedS } = await next('done');
    const calls = counter.total();
    const cpu = cpuSince(cpuBefore);
    loopDelay.disable();
    const ms = (ns: number) => (ns / 1e6).toFixed(1);
    log(
      `stack event-loop delay ms p50 / p99 / max: ${ms(loopDelay.percentile(50))} / ${ms(loopDelay.percentile(99))} / ${ms(loopDelay.max)}`,
    );
    const byCommand = counter.byCommand();
    await floor.stop();
    runs.push(...measured);

    const result = await audit(stack.deps.ports, runs);
    const ok = measured.filter((r) => !r.error);
    const energize = ok.flatMap((r) => (r.energizeMs === undefined ? [] : [r.energizeMs]));
    const paid = ok.flatMap((r) => (r.paidMs === undefined ? [] : [r.paidMs]));
    log(`store calls by command: ${JSON.stringify(byCommand)}`);
    log(`store call ms p50 / p99 / max: ${JSON.stringify(counter.latencyByCommand())}`);
    log(`CPU ms in the window by process: ${JSON.stringify(cpu)} (${elapsedS.toFixed(1)} s × 2 cores available)`);
    log(
      `sessions ${measured.length} (${measured.length - ok.length} failed) in ${elapsedS.toFixed(1)} s; ` +
        `paid ${result.paidSessions} of ${runs.length} incl. warm-up; succeeded PaymentIntents ${result.succeededIntents}; ` +
        `intent mismatches ${result.intentMismatches}; CHARGING found by the read after subscribing ` +
        `${ok.filter((r) => r.chargingByRead).length}; load average at start ${load.map((l) => l.toFixed(2)).join(' ')}`,
    );
    for (const line of result.notPaidOnce.slice(0, 10)) log(`  not paid once: ${line}`);
    const answered = ok.flatMap((r) => (r.phases === undefined ? [] : [r.phases.startedMs]));
    const afterAnswer = ok.flatMap((r) =>
      r.phases === undefined || r.energizeMs === undefined ? [] : [r.energizeMs - r.phases.startedMs],
    );
    log(
      `energize split p50 / p99 ms: startCharge answered ${percentile(answered, 50)} / ${percentile(answered, 99)}, ` +
        `then CHARGING seen ${percentile(afterAnswer, 50)} / ${percentile(afterAnswer, 99)}`,
    );
    const slowest = [...ok].sort((x, y) => (y.energizeMs ?? 0) - (x.energizeMs ?? 0)).slice(0, 5);
    for (const r of slowest) {
      const p = r.phases;
      log(
        `  slow energize ${r.energizeMs?.toFixed(1)} ms (${r.sessionId} sent at ${r.sentAtMs?.toFixed(1)}): answered ${p?.startedMs.toFixed(1)}` +
          (p?.subscribedMs === undefined ? '' : `, subscribed ${p.subscribedMs.toFixed(1)}`) +
          (p?.readMs === undefined ? '' : `, read ${p.readMs.toFixed(1)}`) +
          (r.chargingByRead ? ' (CHARGING by the read)' : ''),
      );
    }
    const summary = {
      drivers: a.drivers,
      sessions: ok.length,
      sessionsPerSec: Math.round((ok.length / elapsedS) * 10) / 10,
      storeCallsPerSession: ok.length === 0 ? null : Math.round((calls / ok.length) * 10) / 10,
      energizeP50Ms: percentile(energize, 50),
      energizeP99Ms: percentile(energize, 99),
      paidP50Ms: percentile(paid, 50),
      paidP99Ms: percentile(paid, 99),
      mqttRoundTripP50Ms: percentile(floor.samples(), 50),
      lostOrDoubled: result.lostOrDoubled,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    if (child && child.exitCode === null) child.kill('SIGTERM');
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Resolves with the child's next message of that type; a `failed` message or an early exit rejects. */
function nextMessage(child: ChildProcess) {
  const inbox: ChildMessage[] = [];
  let wake: (() => void) | undefined;
  let exited = false;
  child.on('message', (raw) => {
    inbox.push(ChildMessage.parse(raw));
    wake?.();
  });
  child.on('exit', (code, signal) => {
    if (code !== 0) log(`the drivers' process exited with ${signal ?? `code ${code}`}`);
    exited = true;
    wake?.();
  });
  return async <T extends ChildMessage['type']>(type: T): Promise<Extract<ChildMessage, { type: T }>> => {
    for (;;) {
      const m = inbox.shift();
      if (m?.type === 'failed') throw new Error(`drivers failed: ${m.error}`);
      if (m) {
        if (m.type !== type) throw new Error(`expected ${type} from the drivers, got ${m.type}`);
        return m as Extract<ChildMessage, { type: T }>;
      }
      if (exited) throw new Error(`the drivers' process exited before ${type}`);
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
}

const role = process.argv.indexOf('--role');
if (role >= 0 && process.argv[role + 1] === 'drivers') {
  const config = DriversConfig.parse(JSON.parse(process.argv[process.argv.indexOf('--config') + 1] ?? '{}'));
  void runDrivers(config).finally(() => process.disconnect?.());
} else {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      log(`lifecycle bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exit(1);
    },
  );
}
