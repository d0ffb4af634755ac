import type { LedgerEntry } from '../../domain/ledger.js';
import type { Session, SessionState } from '../../domain/session.js';
import type { Page, Peeked, SessionChange, SessionRepository } from '../../ports/session-repository.port.js';
import { SessionMemo } from '../session-memo.js';
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
 * Like the DynamoDB adapter it remembers what it wrote and read for `peek`; `anotherProcess()` is a
 * second instance over the same records with a memory of its own (what a second Lambda would see).
 */
export class MemorySessionRepository implements SessionRepository {
  beforeCommit?: (change: SessionChange) => Promise<void> | void;
  commits = 0;
  conflicts = 0;
  /** Store reads (get, and peek when nothing is remembered), for tests that count round trips. */
  reads = 0;
  private readonly memo = new SessionMemo();

  constructor(
    private readonly drivers: MemoryDriverRepository,
    private readonly records = new Map<string, SessionRecord>(),
  ) {}

  anotherProcess(): MemorySessionRepository {
    return new MemorySessionRepository(this.drivers, this.records);
  }

  async create(session: Session, entry: LedgerEntry): Promise<{ created: boolean; session: Session }> {
    const existing = this.records.get(session.id);
    if (existing) {
      this.memo.remember(existing.session);
      return { created: false, session: structuredClone(existing.session) };
    }
    this.records.set(session.id, { session: structuredClone(session), ledger: [structuredClone(entry)] });
    this.memo.remember(session);
    return { created: true, session: structuredClone(session) };
  }

  async get(id: string): Promise<Session | undefined> {
    this.reads += 1;
    const record = this.records.get(id);
    if (!record) {
      this.memo.forget(id);
      return undefined;
    }
    this.memo.remember(record.session);
    return structuredClone(record.session);
  }

  peek(id: string): Promise<Peeked | undefined> {
    return this.memo.peek(id, (i) => this.get(i));
  }

  async commit(change: SessionChange): Promise<boolean> {
    if (this.beforeCommit) await this.beforeCommit(change);
    assertBumped(change.session.version, change.expectedVersion, `session ${change.session.id}`);
    const record = this.records.get(change.session.id);
    const driverOk = change.driver ? this.drivers.canWrite(change.driver.next, change.driver.expectedVersion) : true;
    if (!record || record.session.version !== change.expectedVersion || !driverOk) {
      this.conflicts += 1;
      this.memo.forget(change.session.id);
      return false;
    }
    record.session = structuredClone(change.session);
    record.ledger.push(...change.entries.map((e) => structuredClone(e)));
    if (change.driver) this.drivers.write(change.driver.next);
    this.commits += 1;
    this.memo.remember(change.session);
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
