import { parseArgs } from 'node:util';
import { z } from 'zod';
import { type FaultRule, parseDuration, parseFaults } from './faults.js';
import { PRESETS, parsePreset, type StationSpec } from './station-spec.js';

export const USAGE = `usage: npm run sim -- --stations N --broker URL [options]
  --stations N          how many stations (default 10; with --iot-config: at most the things listed)
  --broker URL          mqtt://127.0.0.1:1883 or ws://…; ignored with --iot-config
  --secret S            station secret of the local broker (or env STATION_SECRET)
  --prefix ID           station ids are ID-00001, ID-00002, … (default SIM)
  --models LIST         comma-separated, round-robin (default ${PRESETS.join(',')})
  --faults SPEC         e.g. ackDrop:0.05,offline:2~30s,powerLoss@SIM-00007+20s~5s (see firmware-sim/README.md)
  --report-ms MS        meter report period while charging (default 5000)
  --idle-report-ms MS   meter report period when idle (default 60000)
  --connect-rate N      new connections per second while starting (default 500)
  --iot-config FILE     AWS IoT Core: endpoint + per-thing X.509 cert/key/CA (JSON from the provisioning script)
  --stats-ms MS         print a stats line every MS (default 10000; 0 = only at the end)
  --duration D          stop after D (e.g. 60s, 10m); default: until SIGINT/SIGTERM
  --seed N              seed for noise, EVs and random faults (default 1)`;

export interface CliOptions {
  stations: number;
  broker: string;
  secret: string | undefined;
  prefix: string;
  specs: StationSpec[];
  faults: FaultRule[];
  reportMs: { charging: number; idle: number };
  connectRatePerSec: number;
  iotConfig: string | undefined;
  statsMs: number;
  durationMs: number | undefined;
  seed: number;
}

const Int = (min: number) => z.coerce.number().int().min(min);

export function parseCliOptions(argv: string[], env: Record<string, string | undefined> = {}): CliOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      stations: { type: 'string', default: '10' },
      broker: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
      secret: { type: 'string' },
      prefix: { type: 'string', default: 'SIM' },
      models: { type: 'string', default: PRESETS.join(',') },
      faults: { type: 'string' },
      'report-ms': { type: 'string', default: '5000' },
      'idle-report-ms': { type: 'string', default: '60000' },
      'connect-rate': { type: 'string', default: '500' },
      'iot-config': { type: 'string' },
      'stats-ms': { type: 'string', default: '10000' },
      duration: { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  const prefix = z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,50}$/, 'prefix: letters, digits, _ and -')
    .parse(values.prefix);
  return {
    stations: Int(1).max(100_000).parse(values.stations),
    broker: z
      .string()
      .regex(/^(mqtts?|wss?):\/\//, 'broker: mqtt://, mqtts://, ws:// or wss:// URL')
      .parse(values.broker),
    secret: values.secret ?? env.STATION_SECRET,
    prefix,
    specs: (values.models ?? '').split(',').map((m) => parsePreset(m)),
    faults: parseFaults(values.faults),
    reportMs: { charging: Int(100).parse(values['report-ms']), idle: Int(100).parse(values['idle-report-ms']) },
    connectRatePerSec: Int(1).parse(values['connect-rate']),
    iotConfig: values['iot-config'],
    statsMs: Int(0).parse(values['stats-ms']),
    durationMs: values.duration ? parseDuration(values.duration) : undefined,
    seed: Int(0).parse(values.seed),
  };
}

/** `PREFIX-00001` … : the ids the local stack must know as stations. */
export function stationIds(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(5, '0')}`);
}
