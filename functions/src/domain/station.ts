import type { Tariff } from './tariff.js';

export type StationStatus = 'AVAILABLE' | 'CHARGING' | 'OFFLINE' | 'FAULT';

export interface Station {
  id: string;
  name: string;
  site: string;
  model: 'breaker' | 'mode3';
  ratedW: number;
  voltageV: number;
  tariff: Tariff;
  online: boolean;
  breaker: 'open' | 'closed';
  /** Session the station is bound to (set by a successful conditional claim at start). */
  activeSessionId?: string;
  fault?: string;
  powerW?: number;
  lastSeenAt?: string;
  updatedAt: string;
}

/** What drivers see: offline beats fault beats busy. */
export function stationStatus(station: Station): StationStatus {
  if (!station.online) return 'OFFLINE';
  if (station.fault) return 'FAULT';
  return station.activeSessionId ? 'CHARGING' : 'AVAILABLE';
}

/** Why a driver cannot use the station now, in the words the web app translates; undefined when free. */
export function unavailableReason(station: Station): string | undefined {
  switch (stationStatus(station)) {
    case 'OFFLINE':
      return 'station is offline';
    case 'FAULT':
      return `fault: ${station.fault}`;
    case 'CHARGING':
      return 'in use';
    default:
      return undefined;
  }
}
