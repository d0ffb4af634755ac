import { z } from 'zod';
import { StationModel } from '../../contracts/station-protocol.js';

/**
 * What a station is: breaker-only outlet (no pilot) or Mode-3 EVSE (IEC 61851 pilot), supply
 * voltage and rated power. Presets are named `<model>-<V>v-<kW>kw`, e.g. `breaker-200v-3kw`,
 * `mode3-200v-6kw`, `breaker-100v-1.5kw`, or any configurable AC charger such as `mode3-200v-7.4kw`.
 */
export const StationSpec = z.object({
  model: StationModel,
  voltageV: z.number().int().positive().max(480),
  ratedW: z.number().int().positive().max(43_000),
  fw: z.string().min(1).max(32).default('sim-1.0.0'),
});
export type StationSpec = z.infer<typeof StationSpec>;

export const PRESETS = [
  'breaker-100v-1.5kw',
  'breaker-200v-3kw',
  'breaker-200v-6kw',
  'mode3-200v-3kw',
  'mode3-200v-6kw',
] as const;

const PRESET_RE = /^(breaker|mode3)-(\d{2,3})v-(\d+(?:\.\d+)?)kw$/;

export function parsePreset(name: string): StationSpec {
  const m = PRESET_RE.exec(name.trim().toLowerCase());
  if (!m)
    throw new Error(`unknown station model "${name}" (expected <breaker|mode3>-<V>v-<kW>kw, e.g. mode3-200v-6kw)`);
  return StationSpec.parse({ model: m[1], voltageV: Number(m[2]), ratedW: Math.round(Number(m[3]) * 1000) });
}
