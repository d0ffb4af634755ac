/**
 * `npm run sim -- --stations N --broker URL [--faults …] [--secret S] [--prefix ID]`: a fleet of
 * simulated stations against the local broker, or AWS IoT Core with `--iot-config`. Prints JSON
 * lines on stdout (started, stats, stopped); diagnostics on stderr.
 */
import { stationPassword } from '../../infra/local/iot/local-iot.js';
import { parseCliOptions, stationIds, USAGE } from './cli-options.js';
import { Fleet } from './fleet.js';
import { loadIotCoreConfig } from './iot-core-config.js';
import type { StationAuth } from './mqtt-station-link.js';

function line(obj: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...obj })}\n`);
}

async function main(): Promise<number> {
  let o: ReturnType<typeof parseCliOptions>;
  try {
    o = parseCliOptions(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    return 2;
  }
  let url = o.broker;
  let ids: string[];
  let authFor: (id: string) => StationAuth;
  if (o.iotConfig) {
    const target = loadIotCoreConfig(o.iotConfig);
    url = target.url;
    ids = target.ids.slice(0, o.stations);
    authFor = target.authFor;
  } else {
    const secret = o.secret;
    if (!secret) {
      process.stderr.write(`--secret (or STATION_SECRET) is required for the local broker\n${USAGE}\n`);
      return 2;
    }
    ids = stationIds(o.prefix, o.stations);
    authFor = (id) => ({ kind: 'password', password: stationPassword(secret, id) });
  }

  const fleet = new Fleet({
    ids,
    specs: o.specs,
    url,
    authFor,
    reportMs: o.reportMs,
    faults: o.faults,
    seed: o.seed,
    connectRatePerSec: o.connectRatePerSec,
  });
  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    await fleet.stop(true);
    line({ event: 'stopped', why, ...fleet.stats() });
  };
  const done = new Promise<void>((resolve) => {
    process.once('SIGINT', () => void stop('SIGINT').then(resolve));
    process.once('SIGTERM', () => void stop('SIGTERM').then(resolve));
    if (o.durationMs !== undefined) setTimeout(() => void stop('duration').then(resolve), o.durationMs).unref();
  });
  line({ event: 'starting', stations: ids.length, url: url.replace(/\/\/[^@]*@/, '//') });
  const started = await fleet.start();
  line({ event: 'started', ...started });
  const timer = o.statsMs > 0 ? setInterval(() => line({ event: 'stats', ...fleet.stats() }), o.statsMs) : undefined;
  await done;
  if (timer) clearInterval(timer);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`firmware-sim: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
