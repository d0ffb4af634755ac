import { DomainError } from '../domain/errors.js';
import { err, ok, type Result } from '../domain/result.js';
import type { Session, StopReason } from '../domain/session.js';
import type { UseCaseDeps } from './deps.js';
import { knownIfRead, transition } from './session-commit.js';
import { releaseStation, sendCommand } from './station-effects.js';

export interface StopChargeInput {
  driverId: string;
  sessionId: string;
}

export type StopCharge = (input: StopChargeInput) => Promise<Result<Session, DomainError>>;

/** Only the owner may stop; a repeated stop returns the state already reached. */
export function makeStopCharge(deps: UseCaseDeps): StopCharge {
  return async ({ driverId, sessionId }) => {
    // Who owns a session never changes, so a remembered copy answers that as well as a read.
    const peeked = await deps.sessions.peek(sessionId);
    if (!peeked) return err(new DomainError('SESSION.NOT_FOUND', `No session ${sessionId}.`));
    if (peeked.session.driverId !== driverId) {
      return err(new DomainError('SESSION.NOT_YOURS', 'This session belongs to another driver.', { sessionId }));
    }
    return requestStop(deps, sessionId, 'remote', knownIfRead(peeked).known);
  };
}

/**
 * CHARGING → STOPPING and the open command; AWAITING_PAYMENT_METHOD → CANCELLED and the station freed.
 * If the command cannot be sent now the session stays STOPPING and the sweeper re-sends it.
 */
export async function requestStop(
  deps: UseCaseDeps,
  sessionId: string,
  reason: StopReason,
  /** The session as the caller just read it (saves reading it again). */
  known?: Session,
): Promise<Result<Session, DomainError>> {
  const cmdId = deps.ids.next('cmd');
  const applied = await transition(deps, sessionId, { type: 'StopRequested', cmdId, reason }, { known });
  if (applied.kind === 'missing') return err(new DomainError('SESSION.NOT_FOUND', `No session ${sessionId}.`));
  if (applied.kind === 'illegal') return err(applied.error);
  if (applied.kind === 'noop') return ok(applied.session);
  if (applied.session.state === 'STOPPING') await sendCommand(deps, applied.session, 'open', cmdId);
  else await releaseStation(deps, applied.session);
  return ok(applied.session);
}
