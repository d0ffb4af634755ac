import type { Station, StationObservation } from '../domain/station.js';

export type PresencePatch = Partial<Pick<Station, 'online' | 'breaker' | 'powerW' | 'lastSeenAt' | 'fault'>>;

export interface StationRepository {
  get(id: string): Promise<Station | undefined>;
  list(): Promise<Station[]>;
  put(station: Station): Promise<void>;
  /** Binds the station to a session iff it is free; exactly one of two racing claims wins. */
  claim(stationId: string, sessionId: string, at: string): Promise<boolean>;
  /**
   * Frees the station iff it is bound to this session (a late release never frees a newer one) and
   * returns it as freed, so the caller can tell subscribers without reading it again; else undefined.
   */
  release(stationId: string, sessionId: string, at: string): Promise<Station | undefined>;
  /**
   * Applies the patch unless the station already holds a newer `lastSeenAt` than the patch's, and
   * returns the station as it was before: the caller tells what changed without reading it first.
   * Undefined when nothing was written (an unknown station, or an older signal).
   */
  updatePresence(stationId: string, patch: PresencePatch, at: string): Promise<Station | undefined>;
  /**
   * Keeps an observation (a fault, a register going backwards) on the station for reconciliation:
   * the most recent few only; the same one twice (code + time) is kept once. Unknown station: ignored.
   */
  recordObservation(stationId: string, observation: StationObservation): Promise<void>;
}
