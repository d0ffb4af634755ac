import { type Station, type StationObservation, withObservation } from '../../domain/station.js';
import type { PresencePatch, StationRepository } from '../../ports/station-repository.port.js';

/** Stations in a Map; claim and release are check-and-set without an `await` in between. */
export class MemoryStationRepository implements StationRepository {
  private readonly rows = new Map<string, Station>();

  async get(id: string): Promise<Station | undefined> {
    const row = this.rows.get(id);
    return row ? structuredClone(row) : undefined;
  }

  async list(): Promise<Station[]> {
    return [...this.rows.values()].sort((a, b) => a.id.localeCompare(b.id)).map((s) => structuredClone(s));
  }

  async put(station: Station): Promise<void> {
    this.rows.set(station.id, structuredClone(station));
  }

  /** A repeated claim by the session that holds the station succeeds (a repeated start is not "busy"). */
  async claim(stationId: string, sessionId: string, at: string): Promise<boolean> {
    const row = this.rows.get(stationId);
    if (!row) return false;
    if (row.activeSessionId !== undefined && row.activeSessionId !== sessionId) return false;
    row.activeSessionId = sessionId;
    row.updatedAt = at;
    return true;
  }

  async release(stationId: string, sessionId: string, at: string): Promise<Station | undefined> {
    const row = this.rows.get(stationId);
    if (!row || row.activeSessionId !== sessionId) return undefined;
    delete row.activeSessionId;
    row.updatedAt = at;
    return structuredClone(row);
  }

  async updatePresence(stationId: string, patch: PresencePatch, at: string): Promise<Station | undefined> {
    const row = this.rows.get(stationId);
    if (!row) return undefined;
    // As the DynamoDB adapter: a signal older than the one already applied is dropped.
    if (patch.lastSeenAt !== undefined && row.lastSeenAt !== undefined && row.lastSeenAt > patch.lastSeenAt) {
      return undefined;
    }
    const before = structuredClone(row);
    Object.assign(row, structuredClone(patch));
    row.updatedAt = at;
    return before;
  }

  async recordObservation(stationId: string, observation: StationObservation): Promise<void> {
    const row = this.rows.get(stationId);
    const next = row && withObservation(row.observations, structuredClone(observation));
    if (row && next) row.observations = next;
  }
}
