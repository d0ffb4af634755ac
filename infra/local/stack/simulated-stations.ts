/** The seeded stations, simulated by firmware-sim's Fleet (one MQTT connection per station, as in the field). */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { Fleet, type FleetStats } from '../../../firmware-sim/src/fleet.js';
import { parsePreset } from '../../../firmware-sim/src/station-spec.js';
import { stationPassword } from '../iot/local-iot.js';
import type { SeedStation } from './station-registry.js';

export interface SimulatedStations {
  stats(): FleetStats;
  fleet: Fleet;
  stop(): Promise<void>;
}

export async function startSimulatedStations(opts: {
  mqttUrl: string;
  stationSecret: string;
  stations: readonly SeedStation[];
  reportMs: number;
  /** Where the meters' registers are kept, so a restarted stack finds them where the stations left them. */
  registerFile?: string;
}): Promise<SimulatedStations> {
  const saved = opts.registerFile ? loadRegisters(opts.registerFile) : {};
  const fleet = new Fleet({
    startRegisterWh: (id) => saved[id],
    ids: opts.stations.map((s) => s.id),
    specs: opts.stations.map((s) => parsePreset(s.preset)),
    url: opts.mqttUrl,
    authFor: (id) => ({ kind: 'password', password: stationPassword(opts.stationSecret, id) }),
    reportMs: { charging: opts.reportMs, idle: Math.max(opts.reportMs, 60_000) },
  });
  if (opts.stations.length > 0) {
    // Each connect costs the backend a presence write: on a busy machine 500 stations took > 15 s.
    const { online } = await fleet.start(Math.max(15_000, opts.stations.length * 100));
    if (online < opts.stations.length) {
      await fleet.stop();
      throw new Error(`only ${online} of ${opts.stations.length} simulated stations came online`);
    }
  }
  const file = opts.registerFile;
  let lastSaved = '';
  let saving: Promise<void> | undefined;
  // Off the event loop (a rename that replaces a file can wait for the disk), one save at a time.
  const persistSoon = () => {
    if (!file || saving) return;
    const text = registersText(fleet);
    if (text === lastSaved) return; // idle meters cost no disk writes
    saving = writeFile(`${file}.tmp`, text)
      .then(() => rename(`${file}.tmp`, file))
      .then(() => {
        lastSaved = text;
      })
      .catch(() => undefined) // the next tick tries again
      .finally(() => {
        saving = undefined;
      });
  };
  // Real meters keep their register in non-volatile memory; the simulated ones save it often enough
  // that a `kill -9` of the whole stack loses at most a fraction of a second of metered energy.
  const timer = file ? setInterval(persistSoon, REGISTER_SAVE_MS) : undefined;
  timer?.unref();
  return {
    fleet,
    stats: () => fleet.stats(),
    stop: async () => {
      clearInterval(timer);
      await saving;
      if (file) saveRegisters(file, fleet);
      await fleet.stop();
    },
  };
}

const REGISTER_SAVE_MS = 200;
const Registers = z.record(z.string(), z.number().int().nonnegative());

function loadRegisters(file: string): Record<string, number> {
  if (!existsSync(file)) return {};
  try {
    const r = Registers.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return r.success ? r.data : {};
  } catch {
    return {}; // unreadable: the meters start from zero, as a replaced meter would
  }
}

function registersText(fleet: Fleet): string {
  const out: Record<string, number> = {};
  for (const { station } of fleet.nodes) out[station.id] = station.registerWh;
  return JSON.stringify(out);
}

/** The final save on stop, synchronously. */
function saveRegisters(file: string, fleet: Fleet): void {
  writeFileSync(`${file}.tmp`, registersText(fleet));
  renameSync(`${file}.tmp`, file);
}
