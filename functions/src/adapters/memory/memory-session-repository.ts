import type { LedgerEntry } from '../../domain/ledger.js';
import type { Session, SessionState } from '../../domain/session.js';
import type { Page, SessionChange, SessionRepository } from '../../ports/session-repository.port.js';
import { assertBumped, type MemoryDriverRepository } from './memory-driver-repository.js';

interface SessionRecord {
  session: Session;
  /** The ledger lives in the session record, so a commit writes both in one step. */
  ledger: LedgerEntry[];
}

/**
 * Sessions in a Map. A commit checks every version before it writes anything and contains no
 * `await` between check and write, so it is atomic within one process — the same guarantee a
 * DynamoDB transaction gives. `beforeCommit` lets tests interleave a competing writer.
 */
export class MemorySessionRepository implements SessionRepository {
  private readonly records = new Map<string, SessionRecord>();
  beforeCommit?: (change: SessionChange) => Promise<void> | void;
  commits = 0;
  conflicts = 0;

  constructor(private readonly drivers: MemoryDriverRepository) {}

  async create(session: Session, entry: LedgerEntry): Promise<{ created: boolean; session: Session }> {
    const existing = this.records.get(session.id);
    if (existing) return { created: false, session: structuredClone(existing.session) };
    this.records.set(session.id, { session: structuredClone(session), ledger: [structuredClone(entry)] });
    return { created: true, session: structuredClone(session) };
  }

  async get(id: string): Promise<Session | undefined> {
    const record = this.records.get(id);
    return record ? structuredClone(record.session) : undefined;
  }

  async commit(change: SessionChange): Promise<boolean> {
    if (this.beforeCommit) await this.beforeCommit(change);
    assertBumped(change.session.version, change.expectedVersion, `session ${change.session.id}`);
    const record = this.records.get(change.session.id);
    const driverOk = change.driver ? this.drivers.canWrite(change.driver.next, change.driver.expectedVersion) : true;
    if (!record || record.session.version !== change.expectedVersion || !driverOk) {
      this.conflicts += 1;
      return false;
    }
    record.session = structuredClone(change.session);
    record.ledger.push(...change.entries.map((e) => structuredClone(e)));
    if (change.driver) this.drivers.write(change.driver.next);
    this.commits += 1;
    return true;
  }

  async listByDriver(driverId: string, limit: number, nextToken?: string): Promise<Page<Session>> {
    const mine = [...this.records.values()]
      .map((r) => r.session)
      .filter((s) => s.driverId === driverId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
    const start = nextToken ? Number.parseInt(nextToken, 10) : 0;
    const items = mine.slice(start, start + limit).map((s) => structuredClone(s));
    const next = start + limit < mine.length ? String(start + limit) : undefined;
    return next ? { items, nextToken: next } : { items };
  }

  async listByState(state: SessionState, limit: number): Promise<Session[]> {
    return [...this.records.values()]
      .map((r) => r.session)
      .filter((s) => s.state === state)
      .slice(0, limit)
      .map((s) => structuredClone(s));
  }

  async ledger(sessionId: string): Promise<LedgerEntry[]> {
    return (this.records.get(sessionId)?.ledger ?? []).map((e) => structuredClone(e));
  }

  all(): Session[] {
    return [...this.records.values()].map((r) => structuredClone(r.session));
  }
}
