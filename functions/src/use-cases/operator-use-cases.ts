import type { AlertsFeed } from '../ports/alerts-feed.port.js';
import type { SessionRepository } from '../ports/session-repository.port.js';
import { makeOperatorAlerts, type OperatorAlerts } from './operator-alerts.js';
import { makeOperatorSessions, type OperatorSessions } from './operator-sessions.js';

export interface OperatorUseCases {
  operatorSessions: OperatorSessions;
  operatorAlerts: OperatorAlerts;
}

/** The operator view's reads, built by the composition root next to the driver use-cases. */
export function makeOperatorUseCases(deps: {
  sessions: Pick<SessionRepository, 'listByState'>;
  alertsFeed: AlertsFeed;
}): OperatorUseCases {
  return { operatorSessions: makeOperatorSessions(deps), operatorAlerts: makeOperatorAlerts(deps) };
}
