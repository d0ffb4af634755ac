/** What an event-driven use-case did with one delivery (acks, station events, payment events). */
import { DomainError } from '../domain/errors.js';
import { err, ok, type Result } from '../domain/result.js';
import type { Session } from '../domain/session.js';
import type { UseCaseDeps } from './deps.js';
import type { Applied } from './session-commit.js';

export type EventOutcome = {
  outcome: 'applied' | 'noop' | 'duplicate' | 'ignored' | 'unmatched' | 'alerted';
  session?: Session;
};

/** Maps a commit result; a second, different payment for a PAID session is money taken twice: alert. */
export async function outcomeOf(
  applied: Applied,
  deps: Pick<UseCaseDeps, 'alerts'>,
  paymentIntentId?: string,
): Promise<Result<EventOutcome, DomainError>> {
  if (applied.kind === 'missing') return ok({ outcome: 'unmatched' });
  if (applied.kind === 'illegal') return err(applied.error);
  if (applied.kind === 'transitioned') return ok({ outcome: 'applied', session: applied.session });
  if (paymentIntentId && isSecondPayment(applied.session, paymentIntentId)) {
    await deps.alerts.raise({
      code: 'SESSION_PAID_TWICE',
      sessionId: applied.session.id,
      detail: `paid by ${applied.session.paymentIntentId} and again by ${paymentIntentId}; refund one by hand`,
    });
    return ok({ outcome: 'alerted', session: applied.session });
  }
  return ok({ outcome: 'noop', session: applied.session });
}

function isSecondPayment(session: Session, paymentIntentId: string): boolean {
  return (
    session.state === 'PAID' && session.paymentIntentId !== undefined && session.paymentIntentId !== paymentIntentId
  );
}

export const wrongStation = (stationId: string, session: Session) =>
  new DomainError('SESSION.WRONG_STATION', `Station ${stationId} reported for a session of another station.`, {
    sessionId: session.id,
    stationId,
  });
