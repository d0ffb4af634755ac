/**
 * The one way a session changes: read → machine → version-checked commit (with the driver's side of
 * the transition in the same write) → best-effort live publish. On a version conflict the session is
 * re-read and the event re-applied, a bounded number of times.
 *
 * Store calls are the throughput limit (FACTS.md), so nothing is read or written twice: a caller that
 * has just read the session passes it as `known`; otherwise the base is what this process last stored
 * or read (`sessions.peek`), so the step after this process's own commit reads nothing. Either way the
 * version-conditioned commit rejects a stale base and the retry reads the stored row; a "nothing to
 * do" decided on a remembered base is decided again on the stored row. The driver row is read and
 * written only when the transition can actually change it.
 */
import type { Driver } from '../domain/driver.js';
import { driverPatchFor, touchesDriver } from '../domain/driver-effects.js';
import type { DomainError } from '../domain/errors.js';
import type { LedgerEntry } from '../domain/ledger.js';
import type { Session } from '../domain/session.js';
import type { SessionEvent } from '../domain/session-events.js';
import { applyEvent } from '../domain/session-machine.js';
import type { Peeked, SessionChange } from '../ports/session-repository.port.js';
import type { UseCaseDeps } from './deps.js';

export type CommitDeps = Pick<UseCaseDeps, 'sessions' | 'drivers' | 'clock' | 'live' | 'logger' | 'config'>;

export type Applied =
  | { kind: 'transitioned'; before: Session; session: Session; entry: LedgerEntry }
  | { kind: 'noop'; session: Session }
  | { kind: 'illegal'; session: Session; error: DomainError }
  | { kind: 'missing' };

/** A peeked session as `known` only when it was just read: a remembered one is left to transition's own peek. */
export function knownIfRead(peeked: Peeked): TransitionOptions {
  return peeked.remembered ? {} : { known: peeked.session };
}

/** The event may depend on the session and driver as read in this attempt (e.g. the carried balance). */
export type EventSource = SessionEvent | ((session: Session, driver: Driver | undefined) => SessionEvent);

export interface TransitionOptions {
  /** Read the driver before deciding the event (the event depends on it, e.g. the carried balance). */
  readDriver?: boolean;
  /** The session as the caller just read it: used for the first attempt instead of reading it again. */
  known?: Session;
}

export async function transition(
  deps: CommitDeps,
  sessionId: string,
  source: EventSource,
  opts: TransitionOptions = {},
): Promise<Applied> {
  const attempts = Math.max(1, deps.config.maxCommitAttempts);
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const known = attempt === 1 && opts.known?.id === sessionId ? opts.known : undefined;
    // Without one, the session as this process last stored or read it: no read-back of its own write.
    const base = known ? { session: known, remembered: false } : await deps.sessions.peek(sessionId);
    if (!base) return { kind: 'missing' };
    let decided = await decide(deps, base.session, source, opts);
    if (decided.t.kind !== 'transitioned' && base.remembered) {
      // "Nothing to do" or "not allowed" is only as true as the state it was decided on, and a
      // remembered one may be behind (another process moved the session on): decide again on the
      // stored row. A transition needs no such care: its commit is conditioned on the version.
      const stored = await deps.sessions.get(sessionId);
      if (!stored) return { kind: 'missing' };
      decided = await decide(deps, stored, source, opts);
    }
    const { before, driver, event, at, t } = decided;
    if (t.kind === 'noop') return { kind: 'noop', session: before };
    if (t.kind === 'illegal') return { kind: 'illegal', session: before, error: t.error };
    const change: SessionChange = { session: t.session, expectedVersion: before.version, entries: [t.entry] };
    if (mayChangeDriver(before, t.session)) {
      const current = driver ?? (await deps.drivers.get(before.driverId));
      if (!current) throw new Error(`driver ${before.driverId} of session ${before.id} does not exist`);
      const patch = driverPatchFor(before, t.session, current);
      if (patch && !consumesNothing(current, patch)) {
        change.driver = { next: bumpDriver(current, patch, at), expectedVersion: current.version };
      }
    }
    if (await deps.sessions.commit(change)) {
      await publishSession(deps, t.session);
      return { kind: 'transitioned', before, session: t.session, entry: t.entry };
    }
    deps.logger.debug('session commit conflict, retrying', { sessionId, attempt, event: event.type });
  }
  throw new Error(`session ${sessionId}: commit kept conflicting after ${attempts} attempts`);
}

/** The event for this state of the session (and its driver, when the event depends on it), applied. */
async function decide(deps: CommitDeps, before: Session, source: EventSource, opts: TransitionOptions) {
  const driver = opts.readDriver ? await deps.drivers.get(before.driverId) : undefined;
  const event = typeof source === 'function' ? source(before, driver) : source;
  const at = deps.clock.now().toISOString();
  return { before, driver, event, at, t: applyEvent(before, event, at) };
}

/**
 * touchesDriver, minus the one case that cannot: PAID lifts only a block THIS session set, which it
 * sets on entering PAYMENT_FAILED / PAYMENT_ACTION_REQUIRED; states only move forward, so a session
 * still PAYMENT_PENDING never set one (domain/driver-effects.ts) and the driver need not be read.
 */
function mayChangeDriver(before: Session, after: Session): boolean {
  if (after.state === 'PAID' && before.state === 'PAYMENT_PENDING') return false;
  return touchesDriver(before, after);
}

/**
 * Billing with no carried balance leaves the balance as it is: then the session commits alone — a plain
 * conditional update instead of a two-item transaction, the costliest call the store has. Safe because
 * consuming ¥0 cannot double-spend whatever another session adds meanwhile (that stays in the balance for
 * a later charge). Block changes always keep the driver's version guard.
 */
function consumesNothing(driver: Driver, patch: Partial<Driver>): boolean {
  const keys = Object.keys(patch);
  return keys.length === 1 && keys[0] === 'balanceYen' && patch.balanceYen === driver.balanceYen;
}

function bumpDriver(driver: Driver, patch: Partial<Driver>, at: string): Driver {
  const next: Driver = { ...driver, ...patch, version: driver.version + 1, updatedAt: at };
  if (next.blockedBySessionId === undefined) delete next.blockedBySessionId;
  return next;
}

/** Subscribers are a courtesy: a failed publish never fails the transition that was committed. */
export async function publishSession(deps: Pick<UseCaseDeps, 'live' | 'logger'>, session: Session): Promise<void> {
  try {
    await deps.live.sessionChanged(session);
  } catch (e) {
    deps.logger.warn('live publish failed', { sessionId: session.id, error: String(e) });
  }
}

/** Updates a driver row with a bounded re-read-and-retry on version conflicts. */
export async function updateDriver(
  deps: Pick<UseCaseDeps, 'drivers' | 'clock' | 'config'>,
  driverId: string,
  patch: (driver: Driver) => Partial<Driver> | undefined,
): Promise<Driver | undefined> {
  for (let attempt = 1; attempt <= Math.max(1, deps.config.maxCommitAttempts); attempt += 1) {
    const current = await deps.drivers.get(driverId);
    if (!current) return undefined;
    const p = patch(current);
    if (!p) return current;
    const next = bumpDriver(current, p, deps.clock.now().toISOString());
    if (await deps.drivers.update(next, current.version)) return next;
  }
  throw new Error(`driver ${driverId}: update kept conflicting`);
}
