import type { DomainError } from '../domain/errors.js';
import { ok, type Result } from '../domain/result.js';
import { type Station, type StationStatus, stationStatus, unavailableReason } from '../domain/station.js';
import type { UseCaseDeps } from './deps.js';

export interface StationView extends Omit<Station, 'activeSessionId'> {
  status: StationStatus;
  unavailableReason?: string;
}

export type ListStations = () => Promise<Result<StationView[], DomainError>>;

/** Every driver sees every station; which session holds one is nobody else's business. */
export function makeListStations(deps: Pick<UseCaseDeps, 'stations'>): ListStations {
  return async () => ok((await deps.stations.list()).map(toStationView));
}

export function toStationView(station: Station): StationView {
  const { activeSessionId: _hidden, ...rest } = station;
  const status = stationStatus(station);
  const reason = unavailableReason(station);
  return reason ? { ...rest, status, unavailableReason: reason } : { ...rest, status };
}
