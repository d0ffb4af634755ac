/** The seeded stations, simulated by firmware-sim's Fleet (one MQTT connection per station, as in the field). */
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
}): Promise<SimulatedStations> {
  const fleet = new Fleet({
    ids: opts.stations.map((s) => s.id),
    specs: opts.stations.map((s) => parsePreset(s.preset)),
    url: opts.mqttUrl,
    authFor: (id) => ({ kind: 'password', password: stationPassword(opts.stationSecret, id) }),
    reportMs: { charging: opts.reportMs, idle: Math.max(opts.reportMs, 60_000) },
  });
  if (opts.stations.length > 0) {
    const { online } = await fleet.start(15_000);
    if (online < opts.stations.length) {
      await fleet.stop();
      throw new Error(`only ${online} of ${opts.stations.length} simulated stations came online`);
    }
  }
  return { fleet, stats: () => fleet.stats(), stop: () => fleet.stop() };
}
