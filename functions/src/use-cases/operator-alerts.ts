import { DomainError } from '../domain/errors.js';
import { err, ok, type Result } from '../domain/result.js';
import type { AlertsFeed, RaisedAlert } from '../ports/alerts-feed.port.js';
import { OPERATOR_MAX_LIMIT } from './operator-sessions.js';

export type OperatorAlerts = (q: { limit?: number }) => Promise<Result<RaisedAlert[], DomainError>>;

/** The alerts a person must look at (faults, money taken twice, reconciliation anomalies), newest first. */
export function makeOperatorAlerts(deps: { alertsFeed: AlertsFeed }): OperatorAlerts {
  return async ({ limit = 50 }) => {
    if (!Number.isInteger(limit) || limit < 1 || limit > OPERATOR_MAX_LIMIT) {
      return err(new DomainError('VALIDATION', `limit must be 1-${OPERATOR_MAX_LIMIT}`));
    }
    return ok(await deps.alertsFeed.recent(limit));
  };
}
