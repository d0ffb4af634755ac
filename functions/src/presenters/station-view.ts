/** The GraphQL view of a station (`Station` in contracts/schema.graphql), with a reason when unusable. */
import { type Station, type StationStatus, stationStatus, unavailableReason } from '../domain/station.js';
import type { Tariff } from '../domain/tariff.js';

export interface StationView {
  id: string;
  name: string;
  site: string;
  model: 'breaker' | 'mode3';
  ratedW: number;
  voltageV: number;
  tariff: Tariff;
  status: StationStatus;
  unavailableReason: string | null;
  breaker: string | null;
  powerW: number | null;
  updatedAt: string | null;
}

export function toStationView(s: Station): StationView {
  const status = stationStatus(s);
  const reason = unavailableReason(s) ?? null;
  return {
    id: s.id,
    name: s.name,
    site: s.site,
    model: s.model,
    ratedW: s.ratedW,
    voltageV: s.voltageV,
    tariff: { ...s.tariff },
    status,
    unavailableReason: reason,
    breaker: s.breaker,
    powerW: s.powerW ?? null,
    updatedAt: s.updatedAt,
  };
}
