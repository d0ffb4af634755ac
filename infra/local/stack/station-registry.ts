/**
 * The seeded station registry: a few real-feeling parking sites with the outlets Japanese lots have
 * (200 V 3 kW / 6 kW breakers, Mode-3 wallboxes, a 100 V 1.5 kW outlet) and their tariffs. Extra
 * simulated stations (EV_STATIONS > the seed) get generated ids on a "load test" site.
 */
import type { Station } from '../../../functions/src/domain/station.js';
import type { Tariff } from '../../../functions/src/domain/tariff.js';

export interface SeedStation {
  id: string;
  name: string;
  site: string;
  /** firmware-sim preset: <breaker|mode3>-<V>v-<kW>kw */
  preset: string;
  model: 'breaker' | 'mode3';
  voltageV: number;
  ratedW: number;
  tariff: Tariff;
}

const yenPerKwh = (yen: number, sessionFeeYen = 0, yenPerMinute = 0): Tariff => ({
  milliYenPerKwh: Math.round(yen * 1000),
  sessionFeeYen,
  milliYenPerMinute: Math.round(yenPerMinute * 1000),
});

const S = (
  id: string,
  name: string,
  site: string,
  model: 'breaker' | 'mode3',
  voltageV: number,
  ratedW: number,
  tariff: Tariff,
): SeedStation => ({
  id,
  name,
  site,
  model,
  voltageV,
  ratedW,
  tariff,
  preset: `${model}-${voltageV}v-${ratedW / 1000}kw`,
});

export const SEED_STATIONS: readonly SeedStation[] = [
  S('TKY-SBY-01', 'Shibuya 3-chome Parking · Bay 1', 'Shibuya 3-chome Parking', 'breaker', 200, 3000, yenPerKwh(55.5)),
  S('TKY-SBY-02', 'Shibuya 3-chome Parking · Bay 2', 'Shibuya 3-chome Parking', 'breaker', 200, 3000, yenPerKwh(55.5)),
  S(
    'TKY-SBY-03',
    'Shibuya 3-chome Parking · Bay 3',
    'Shibuya 3-chome Parking',
    'mode3',
    200,
    6000,
    yenPerKwh(49, 0, 1),
  ),
  S(
    'YOK-MM-01',
    'Minatomirai Grand Mall P2 · A-12',
    'Minatomirai Grand Mall P2',
    'mode3',
    200,
    6000,
    yenPerKwh(45, 110),
  ),
  S(
    'YOK-MM-02',
    'Minatomirai Grand Mall P2 · A-13',
    'Minatomirai Grand Mall P2',
    'mode3',
    200,
    6000,
    yenPerKwh(45, 110),
  ),
  S('OSK-UMD-01', 'Umeda Residence Garage · 7', 'Umeda Residence Garage', 'breaker', 200, 3000, yenPerKwh(38)),
  S('OSK-UMD-02', 'Umeda Residence Garage · 8', 'Umeda Residence Garage', 'breaker', 100, 1500, yenPerKwh(38)),
  S(
    'SPR-KIT-01',
    'Sapporo Kita-guchi Parking · 21',
    'Sapporo Kita-guchi Parking',
    'breaker',
    200,
    6000,
    yenPerKwh(42.8),
  ),
];

export function registry(count: number): SeedStation[] {
  const seeded = SEED_STATIONS.slice(0, count);
  for (let i = seeded.length; i < count; i++) {
    const n = String(i + 1).padStart(4, '0');
    seeded.push(S(`SIM-${n}`, `Load-test lot · ${n}`, 'Load-test lot', 'breaker', 200, 3000, yenPerKwh(50)));
  }
  return seeded;
}

export function toStation(seed: SeedStation, at: string): Station {
  return {
    id: seed.id,
    name: seed.name,
    site: seed.site,
    model: seed.model,
    ratedW: seed.ratedW,
    voltageV: seed.voltageV,
    tariff: seed.tariff,
    online: false,
    breaker: 'open',
    updatedAt: at,
  };
}
