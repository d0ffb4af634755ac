import type { Session } from '../domain/session.js';
import { TERMINAL_STATES } from '../domain/session-machine.js';
import type { Peeked } from '../ports/session-repository.port.js';

/** Enough for every session a process is driving at once (a live session is ~2 KB); the oldest goes first. */
export const DEFAULT_MEMO_CAPACITY = 4_096;

/**
 * The sessions this process last saw as stored — its own creates and commits, and its reads — so the
 * next step of a session it is driving need not read the row it just wrote (`SessionRepository.peek`).
 *
 * What it holds is never ahead of the store: only rows the store answered with or accepted are
 * remembered, and an older version never replaces a newer one (a read that started before a commit
 * may answer after it). It can be behind (another process moved the session on); whoever uses it
 * writes only through a version-conditioned commit, which rejects a stale base. A session that has
 * ended is forgotten: nothing drives it any more. Holds copies, hands out copies.
 */
export class SessionMemo {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly capacity = DEFAULT_MEMO_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** `SessionRepository.peek` for any store: what is remembered, else `read` (which should remember it). */
  async peek(id: string, read: (id: string) => Promise<Session | undefined>): Promise<Peeked | undefined> {
    const remembered = this.recall(id);
    if (remembered) return { session: remembered, remembered: true };
    const session = await read(id);
    return session && { session, remembered: false };
  }

  recall(id: string): Session | undefined {
    const s = this.sessions.get(id);
    return s ? structuredClone(s) : undefined;
  }

  /** The session as the store has it now (a read's answer or an accepted write). */
  remember(session: Session): void {
    const known = this.sessions.get(session.id);
    if (known && known.version > session.version) return;
    this.sessions.delete(session.id);
    if (TERMINAL_STATES.includes(session.state)) return;
    if (this.sessions.size >= this.capacity) {
      const oldest = this.sessions.keys().next();
      if (!oldest.done) this.sessions.delete(oldest.value);
    }
    this.sessions.set(session.id, structuredClone(session));
  }

  /** What is remembered may be stale (a commit based on it lost): the next look goes to the store. */
  forget(id: string): void {
    this.sessions.delete(id);
  }
}
