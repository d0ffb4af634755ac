import type { Station } from '../domain/station.js';

export type PresencePatch = Partial<Pick<Station, 'online' | 'breaker' | 'powerW' | 'lastSeenAt' | 'fault'>>;

export interface StationRepository {
  get(id: string): Promise<Station | undefined>;
  list(): Promise<Station[]>;
  put(station: Station): Promise<void>;
  /** Binds the station to a session iff it is free; exactly one of two racing claims wins. */
  claim(stationId: string, sessionId: string, at: string): Promise<boolean>;
  /** Frees the station iff it is bound to this session (a late release never frees a newer one). */
  release(stationId: string, sessionId: string, at: string): Promise<boolean>;
  updatePresence(stationId: string, patch: PresencePatch, at: string): Promise<void>;
}
