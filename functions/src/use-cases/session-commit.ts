/**
 * The one way a session changes: read → machine → version-checked commit (with the driver's side of
 * the transition in the same write) → best-effort live publish. On a version conflict the session is
 * re-read and the event re-applied, a bounded number of times.
 */
import type { Driver } from '../domain/driver.js';
import { driverPatchFor, touchesDriver } from '../domain/driver-effects.js';
import type { DomainError } from '../domain/errors.js';
import type { LedgerEntry } from '../domain/ledger.js';
import type { Session } from '../domain/session.js';
import type { SessionEvent } from '../domain/session-events.js';
import { applyEvent } from '../domain/session-machine.js';
import type { SessionChange } from '../ports/session-repository.port.js';
import type { UseCaseDeps } from './deps.js';

export type CommitDeps = Pick<UseCaseDeps, 'sessions' | 'drivers' | 'clock' | 'live' | 'logger' | 'config'>;

export type Applied =
  | { kind: 'transitioned'; before: Session; session: Session; entry: LedgerEntry }
  | { kind: 'noop'; session: Session }
  | { kind: 'illegal'; session: Session; error: DomainError }
  | { kind: 'missing' };

/** The event may depend on the session and driver as read in this attempt (e.g. the carried balance). */
export type EventSource = SessionEvent | ((session: Session, driver: Driver | undefined) => SessionEvent);

export async function transition(
  deps: CommitDeps,
  sessionId: string,
  source: EventSource,
  opts: { readDriver?: boolean } = {},
): Promise<Applied> {
  const attempts = Math.max(1, deps.config.maxCommitAttempts);
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const before = await deps.sessions.get(sessionId);
    if (!before) return { kind: 'missing' };
    const driver = opts.readDriver ? await deps.drivers.get(before.driverId) : undefined;
    const event = typeof source === 'function' ? source(before, driver) : source;
    const at = deps.clock.now().toISOString();
    const t = applyEvent(before, event, at);
    if (t.kind === 'noop') return { kind: 'noop', session: before };
    if (t.kind === 'illegal') return { kind: 'illegal', session: before, error: t.error };
    const change: SessionChange = { session: t.session, expectedVersion: before.version, entries: [t.entry] };
    if (touchesDriver(before, t.session)) {
      const current = driver ?? (await deps.drivers.get(before.driverId));
      if (!current) throw new Error(`driver ${before.driverId} of session ${before.id} does not exist`);
      const patch = driverPatchFor(before, t.session, current);
      if (patch) change.driver = { next: bumpDriver(current, patch, at), expectedVersion: current.version };
    }
    if (await deps.sessions.commit(change)) {
      await publishSession(deps, t.session);
      return { kind: 'transitioned', before, session: t.session, entry: t.entry };
    }
    deps.logger.debug('session commit conflict, retrying', { sessionId, attempt, event: event.type });
  }
  throw new Error(`session ${sessionId}: commit kept conflicting after ${attempts} attempts`);
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
