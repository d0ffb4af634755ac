import type { Session } from '../domain/session.js';
import type { Station } from '../domain/station.js';

/** Pushes changes to subscribers (AppSync IAM publish mutation; the local AppSync server offline). */
export interface LivePublisher {
  sessionChanged(session: Session): Promise<void>;
  stationChanged(station: Station): Promise<void>;
}
