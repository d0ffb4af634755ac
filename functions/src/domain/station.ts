import type { Tariff } from './tariff.js';

export type StationStatus = 'AVAILABLE' | 'CHARGING' | 'OFFLINE' | 'FAULT';

/**
 * Something the station reported (a `fault` event code) or the backend saw (`registerBackwards`: a
 * meter register lower than one seen before), kept on the station row so reconciliation can find it.
 */
export interface StationObservation {
  code: string;
  at: string;
  sessionId?: string;
  detail?: string;
  registerWh?: number;
  previousWh?: number;
}

/** Only the most recent observations are kept: enough for a reconciliation run every 15 minutes. */
export const MAX_STATION_OBSERVATIONS = 20;

/** Appends unless the same observation (code + time) is there already (a redelivered message). */
export function withObservation(
  current: readonly StationObservation[] | undefined,
  next: StationObservation,
): StationObservation[] | undefined {
  const list = current ?? [];
  if (list.some((o) => o.code === next.code && o.at === next.at)) return undefined;
  return [...list, next].slice(-MAX_STATION_OBSERVATIONS);
}

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
  /** Recent meter and fault observations (newest last), see StationObservation. */
  observations?: StationObservation[];
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
