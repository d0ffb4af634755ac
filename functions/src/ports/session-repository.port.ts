import type { Driver } from '../domain/driver.js';
import type { LedgerEntry } from '../domain/ledger.js';
import type { Session, SessionState } from '../domain/session.js';

/**
 * One atomic change: a session moves to `session` (whose version must be expectedVersion + 1),
 * its ledger entries are appended, and optionally the driver row changes in the same write
 * (carried balances must move together with the session that carries or consumes them).
 */
export interface SessionChange {
  session: Session;
  expectedVersion: number;
  entries: LedgerEntry[];
  driver?: { next: Driver; expectedVersion: number };
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface SessionRepository {
  /**
   * Creates a session unless one with the same id exists (ids are derived from driver + start key,
   * so a repeated startCharge finds the first). Returns the stored session either way.
   */
  create(session: Session, entry: LedgerEntry): Promise<{ created: boolean; session: Session }>;
  get(id: string): Promise<Session | undefined>;
  /** Applies a change atomically; false when the session (or driver) version moved meanwhile. */
  commit(change: SessionChange): Promise<boolean>;
  listByDriver(driverId: string, limit: number, nextToken?: string): Promise<Page<Session>>;
  listByState(state: SessionState, limit: number): Promise<Session[]>;
  ledger(sessionId: string): Promise<LedgerEntry[]>;
}
