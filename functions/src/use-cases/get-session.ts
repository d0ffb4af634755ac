import { DomainError } from '../domain/errors.js';
import type { LedgerEntry } from '../domain/ledger.js';
import { err, ok, type Result } from '../domain/result.js';
import type { Session } from '../domain/session.js';
import type { UseCaseDeps } from './deps.js';

export interface SessionQuery {
  driverId: string;
  sessionId: string;
  /** Operators may read any session. */
  operator?: boolean;
}

export type GetSession = (q: SessionQuery) => Promise<Result<Session, DomainError>>;
export type GetSessionLedger = (q: SessionQuery) => Promise<Result<LedgerEntry[], DomainError>>;

export function makeGetSession(deps: Pick<UseCaseDeps, 'sessions'>): GetSession {
  return async (q) => owned(deps, q);
}

/** The session's ledger, under the same ownership rule as the session. */
export function makeGetSessionLedger(deps: Pick<UseCaseDeps, 'sessions'>): GetSessionLedger {
  return async (q) => {
    const session = await owned(deps, q);
    return session.ok ? ok(await deps.sessions.ledger(q.sessionId)) : session;
  };
}

async function owned(deps: Pick<UseCaseDeps, 'sessions'>, q: SessionQuery): Promise<Result<Session, DomainError>> {
  const session = await deps.sessions.get(q.sessionId);
  if (!session) return err(new DomainError('SESSION.NOT_FOUND', `No session ${q.sessionId}.`));
  if (session.driverId !== q.driverId && !q.operator) {
    return err(
      new DomainError('SESSION.NOT_YOURS', 'This session belongs to another driver.', { sessionId: q.sessionId }),
    );
  }
  return ok(session);
}
