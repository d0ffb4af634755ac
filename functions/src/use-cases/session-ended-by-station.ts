import type { DomainError } from '../domain/errors.js';
import { err, ok, type Result } from '../domain/result.js';
import type { StopReason } from '../domain/session.js';
import type { UseCaseDeps } from './deps.js';
import { type EventOutcome, wrongStation } from './event-outcome.js';
import { afterMetered } from './metered.js';
import { knownIfRead, transition } from './session-commit.js';

/** The station's `session_end` event (validated at the edge). */
export interface SessionEndInput {
  stationId: string;
  sessionId: string;
  startRegisterWh: number;
  stopRegisterWh: number;
  startedAt: string;
  endedAt: string;
  reason: StopReason;
}

export type SessionEndedByStation = (input: SessionEndInput) => Promise<Result<EventOutcome, DomainError>>;

/** The station ended the session itself (EV unplugged, power loss, caps, or after our open): → METERED. */
export function makeSessionEndedByStation(deps: UseCaseDeps): SessionEndedByStation {
  return async (input) => {
    const peeked = await deps.sessions.peek(input.sessionId);
    if (!peeked) {
      deps.logger.warn('session_end for an unknown session', {
        sessionId: input.sessionId,
        stationId: input.stationId,
      });
      return ok({ outcome: 'unmatched' });
    }
    const current = peeked.session;
    if (current.stationId !== input.stationId) return err(wrongStation(input.stationId, current));
    const applied = await transition(deps, input.sessionId, { type: 'SessionEnded', ...input }, knownIfRead(peeked));
    if (applied.kind === 'missing') return ok({ outcome: 'unmatched' });
    if (applied.kind === 'illegal') return err(applied.error);
    if (applied.kind === 'noop') {
      if (applied.session.state === 'FAILED_TO_START' && input.stopRegisterWh > input.startRegisterWh) {
        await deps.alerts.raise({
          code: 'ENERGY_AFTER_FAILED_START',
          sessionId: input.sessionId,
          stationId: input.stationId,
          detail: `${input.stopRegisterWh - input.startRegisterWh} Wh delivered to a session that failed to start; not billed`,
        });
      }
      return ok({ outcome: 'noop', session: applied.session });
    }
    return ok({ outcome: 'applied', session: await afterMetered(deps, applied.session) });
  };
}
