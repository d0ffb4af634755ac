import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { IotBreakerControl } from '../../../functions/src/adapters/iot/iot-breaker-control.js';
import { MemoryStationRepository } from '../../../functions/src/adapters/memory/memory-station-repository.js';
import { SystemClock } from '../../../functions/src/adapters/system/system-clock.js';
import type { StationEventSink } from '../../../functions/src/handlers/station-event-sink.js';
import { makeHandler } from '../../../functions/src/handlers/station-events.js';
import { makeStationPresence } from '../../../functions/src/use-cases/station-presence.js';
import { startRuleEmulator } from '../../../infra/local/iot/rule-emulator.js';
import { stderrLogger } from '../../../infra/local/iot/stderr-logger.js';
import { stationIds } from '../cli-options.js';
import { percentile, send, serveRole } from './ipc.js';

export interface BackendRoleOptions {
  stations: number;
  prefix: string;
  backend: { username: string; password: string };
  mqttUrl: string;
  publishEndpoint: string;
  /** Breaker commands per second to random stations while measuring (close, then open, …). */
  cmdPerSec: number;
}

/**
 * The benchmark's backend process: the rule emulator feeding the real station-events handler, whose
 * sink measures report lag and command round trips; presence goes through the real use-case. Commands
 * go out through the production BreakerControl adapter and the IoT data-plane HTTP shim.
 */
export async function runBackend(o: BackendRoleOptions): Promise<void> {
  const ids = stationIds(o.prefix, o.stations);
  const clock = new SystemClock();
  const stations = new MemoryStationRepository();
  const at = clock.now().toISOString();
  for (const id of ids) {
    await stations.put({
      id,
      name: id,
      site: 'bench',
      model: 'mode3',
      ratedW: 6_000,
      voltageV: 200,
      tariff: { milliYenPerKwh: 40_000, sessionFeeYen: 0, milliYenPerMinute: 0 },
      online: false,
      breaker: 'open',
      updatedAt: at,
    });
  }
  let liveUpdates = 0;
  const presence = makeStationPresence({
    stations,
    clock,
    live: {
      stationChanged: async () => {
        liveUpdates++;
      },
    },
  });

  let measuring = false;
  const lags: number[] = [];
  let replayedSkipped = 0;
  const pending = new Map<string, number>();
  const rtts: number[] = [];
  let cmdSent = 0;
  const sink: StationEventSink = {
    async meter(_id, report) {
      if (!measuring) return;
      if (report.replayed) {
        replayedSkipped++;
        return;
      }
      lags.push(Date.now() - Date.parse(report.at));
    },
    async ack(_id, ack) {
      const sent = pending.get(ack.cmdId);
      if (sent === undefined) return;
      pending.delete(ack.cmdId);
      if (measuring) rtts.push(performance.now() - sent);
    },
    async presence(id, signal) {
      await presence.apply(id, signal);
    },
    sessionEnd: async () => {},
    fault: async () => {},
    pilot: async () => {},
    boot: async () => {},
  };
  const handler = makeHandler({ stations, sink, clock, logger: stderrLogger });
  const emulator = await startRuleEmulator({
    mqttUrl: o.mqttUrl,
    username: o.backend.username,
    password: o.backend.password,
    handler,
    logger: stderrLogger,
  });

  const breaker = new IotBreakerControl(
    new IoTDataPlaneClient({
      endpoint: o.publishEndpoint,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    }),
  );
  const active = new Map<string, string>();
  let n = 0;
  const sendOne = () => {
    const id = ids[Math.floor(Math.random() * ids.length)];
    if (!id) return;
    const running = active.get(id);
    const sessionId = running ?? `bench-ses-${++n}`;
    const action = running ? 'open' : 'close';
    if (running) active.delete(id);
    else active.set(id, sessionId);
    const cmdId = `bench-cmd-${++n}`;
    const now = Date.now();
    pending.set(cmdId, performance.now());
    cmdSent++;
    breaker
      .send(id, {
        cmdId,
        sessionId,
        action,
        issuedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 30_000).toISOString(),
      })
      .catch((e: unknown) => stderrLogger.error('bench.command.failed', { error: String(e) }));
  };
  let cmdTimer: NodeJS.Timeout | undefined;

  serveRole({
    role: 'backend',
    onMeasure: () => {
      measuring = true;
      lags.length = 0;
      rtts.length = 0;
      replayedSkipped = 0;
      cmdSent = 0;
      if (o.cmdPerSec > 0) cmdTimer = setInterval(sendOne, 1000 / o.cmdPerSec);
    },
    extra: () => ({ liveUpdates }),
    backendStats: () => {
      measuring = false;
      if (cmdTimer) clearInterval(cmdTimer);
      const l = Float64Array.from(lags).sort();
      const r = Float64Array.from(rtts).sort();
      const round = (x: number) => Math.round(x * 10) / 10;
      return {
        reports: l.length,
        replayedSkipped,
        p50LagMs: round(percentile(l, 50)),
        p99LagMs: round(percentile(l, 99)),
        maxLagMs: round(l[l.length - 1] ?? 0),
        cmdSent,
        cmdAcked: r.length,
        cmdP50Ms: round(percentile(r, 50)),
        cmdP99Ms: round(percentile(r, 99)),
        handlerCounters: { ...handler.counters },
        emulator: { ...emulator.stats() },
      };
    },
    stop: async () => {
      if (cmdTimer) clearInterval(cmdTimer);
      await emulator.close();
    },
  });
  send(process, { type: 'ready', mqttUrl: o.mqttUrl, publishEndpoint: o.publishEndpoint });
}
