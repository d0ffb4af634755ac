import { DomainError } from '../domain/errors.js';
import { err, ok, type Result } from '../domain/result.js';
import type { Session, SessionState } from '../domain/session.js';
import type { SessionRepository } from '../ports/session-repository.port.js';

/** What "active" means on the operator view: sessions not yet settled one way or the other. */
export const ACTIVE_STATES: readonly SessionState[] = [
  'AWAITING_PAYMENT_METHOD',
  'ENERGIZING',
  'CHARGING',
  'STOPPING',
  'METERED',
  'PAYMENT_PENDING',
];
export const OPERATOR_MAX_LIMIT = 200;

export type OperatorSessions = (q: {
  states?: readonly SessionState[];
  limit?: number;
}) => Promise<Result<Session[], DomainError>>;

/**
 * Sessions across all drivers by state, most recently changed first. Callers are operators: the
 * GraphQL edge checks the group before calling. Each state is read up to `limit` (the store lists a
 * state oldest change first, so with more than `limit` in one state the newest of them are not seen).
 */
export function makeOperatorSessions(deps: { sessions: Pick<SessionRepository, 'listByState'> }): OperatorSessions {
  return async ({ states, limit = 50 }) => {
    if (!Number.isInteger(limit) || limit < 1 || limit > OPERATOR_MAX_LIMIT) {
      return err(new DomainError('VALIDATION', `limit must be 1-${OPERATOR_MAX_LIMIT}`));
    }
    const wanted = [...new Set(states && states.length > 0 ? states : ACTIVE_STATES)];
    const lists = await Promise.all(wanted.map((state) => deps.sessions.listByState(state, limit)));
    const newestFirst = lists.flat().sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id));
    return ok(newestFirst.slice(0, limit));
  };
}
