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

/** A session as `peek` found it. */
export interface Peeked {
  session: Session;
  /**
   * True when it came from this process's memory rather than a read just now: then it may be behind
   * the store (never ahead). Act on it only through a version-conditioned commit, and read again before
   * concluding from it that there is nothing to do.
   */
  remembered: boolean;
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
  /**
   * The session as this process last saw it stored (its own create or commit, or a read), without a
   * store call; else read, as `get`. For a step whose write is a version-conditioned commit: the row
   * it just wrote need not be read back (a commit that loses forgets it, so a retry reads).
   */
  peek(id: string): Promise<Peeked | undefined>;
  /** Applies a change atomically; false when the session (or driver) version moved meanwhile. */
  commit(change: SessionChange): Promise<boolean>;
  listByDriver(driverId: string, limit: number, nextToken?: string): Promise<Page<Session>>;
  listByState(state: SessionState, limit: number): Promise<Session[]>;
  ledger(sessionId: string): Promise<LedgerEntry[]>;
}
