import type { AlertsFeed } from '../ports/alerts-feed.port.js';
import type { AnomalyRepository } from '../ports/anomaly-repository.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { SessionRepository } from '../ports/session-repository.port.js';
import { makeOperatorAlerts, type OperatorAlerts } from './operator-alerts.js';
import {
  makeOperatorAnomalies,
  makeReviewAnomaly,
  type OperatorAnomalies,
  type ReviewAnomaly,
} from './operator-anomalies.js';
import { makeOperatorSessions, type OperatorSessions } from './operator-sessions.js';

export interface OperatorUseCases {
  operatorSessions: OperatorSessions;
  operatorAlerts: OperatorAlerts;
  operatorAnomalies: OperatorAnomalies;
  reviewAnomaly: ReviewAnomaly;
}

/** The operator view's reads (and its one write, a review), built by the composition root next to the driver use-cases. */
export function makeOperatorUseCases(deps: {
  sessions: Pick<SessionRepository, 'listByState'>;
  alertsFeed: AlertsFeed;
  anomalies: AnomalyRepository;
  clock: Clock;
}): OperatorUseCases {
  return {
    operatorSessions: makeOperatorSessions(deps),
    operatorAlerts: makeOperatorAlerts(deps),
    operatorAnomalies: makeOperatorAnomalies(deps),
    reviewAnomaly: makeReviewAnomaly(deps),
  };
}
