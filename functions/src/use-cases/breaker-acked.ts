import type { DomainError } from '../domain/errors.js';
import { err, ok, type Result } from '../domain/result.js';
import type { Session, StopReason } from '../domain/session.js';
import type { SessionEvent } from '../domain/session-events.js';
import type { UseCaseDeps } from './deps.js';
import { type EventOutcome, wrongStation } from './event-outcome.js';
import { afterMetered } from './metered.js';
import { knownIfRead, transition } from './session-commit.js';
import { releaseStation, sendCommand } from './station-effects.js';

/** A station's answer to one command (the protocol's `ack`, already validated at the edge). */
export interface BreakerAckInput {
  stationId: string;
  cmdId: string;
  sessionId: string;
  action: 'close' | 'open';
  ok: boolean;
  reason?: string;
  breaker: 'open' | 'closed';
  registerWh: number;
  at: string;
  /** On an ok open: the station had already ended the session by itself, like this (its session_end's facts). */
  ended?: { stopRegisterWh: number; endedAt: string; reason: StopReason };
}

export type BreakerAcked = (ack: BreakerAckInput) => Promise<Result<EventOutcome, DomainError>>;

const NEVER_STARTED: readonly Session['state'][] = ['FAILED_TO_START', 'CANCELLED'];

export function makeBreakerAcked(deps: UseCaseDeps): BreakerAcked {
  return async (ack) => {
    // The session as this process last wrote it, when it has (the close ack follows its own create):
    // what is checked here never changes, and the transition commits against the stored version.
    const peeked = await deps.sessions.peek(ack.sessionId);
    if (!peeked) {
      deps.logger.warn('ack for an unknown session', { sessionId: ack.sessionId, stationId: ack.stationId });
      return ok({ outcome: 'unmatched' });
    }
    const current = peeked.session;
    if (current.stationId !== ack.stationId) return err(wrongStation(ack.stationId, current));
    if (ack.action === 'open' && !ack.ok) {
      await deps.alerts.raise({
        code: 'BREAKER_OPEN_REFUSED',
        sessionId: current.id,
        stationId: ack.stationId,
        detail: `station refused to open (${ack.reason ?? 'no reason'}); breaker ${ack.breaker}`,
      });
      return ok({ outcome: 'alerted', session: current });
    }
    // It ended the session itself but does not say how: its session_end (authoritative) will meter it.
    if (ack.action === 'open' && ack.ok && ack.reason === 'sessionEnded' && !ack.ended) {
      return ok({ outcome: 'noop', session: current });
    }
    const applied = await transition(deps, ack.sessionId, eventOf(ack), knownIfRead(peeked));
    if (applied.kind === 'missing') return ok({ outcome: 'unmatched' });
    if (applied.kind !== 'transitioned') {
      // A close that lands after the session gave up would leave power on for nobody: open it.
      if (
        ack.action === 'close' &&
        ack.ok &&
        ack.breaker === 'closed' &&
        NEVER_STARTED.includes(applied.session.state)
      ) {
        await compensate(deps, applied.session);
      }
      return applied.kind === 'illegal' ? err(applied.error) : ok({ outcome: 'noop', session: applied.session });
    }
    const session = applied.session;
    if (session.state === 'FAILED_TO_START') await releaseStation(deps, session);
    if (session.state === 'METERED') return ok({ outcome: 'applied', session: await afterMetered(deps, session) });
    return ok({ outcome: 'applied', session });
  };
}

function eventOf(ack: BreakerAckInput): SessionEvent {
  if (ack.action === 'open') {
    const { cmdId, registerWh, at, ended } = ack;
    return { type: 'BreakerOpened', cmdId, registerWh, at, ...(ended ? { ended } : {}) };
  }
  return ack.ok
    ? { type: 'BreakerClosed', cmdId: ack.cmdId, registerWh: ack.registerWh, at: ack.at }
    : { type: 'BreakerRefused', cmdId: ack.cmdId, reason: ack.reason ?? 'refused' };
}

async function compensate(deps: UseCaseDeps, session: Session): Promise<void> {
  const cmdId = deps.ids.next('cmd');
  await sendCommand(deps, session, 'open', cmdId);
  await deps.alerts.raise({
    code: 'BREAKER_CLOSED_FOR_INACTIVE_SESSION',
    sessionId: session.id,
    stationId: session.stationId,
    detail: `late close ack in ${session.state}; open command ${cmdId} sent`,
  });
}
