import type { Alert } from './alerts.port.js';

export interface RaisedAlert extends Alert {
  /** When it was raised (ISO). */
  at: string;
}

/**
 * The alerts raised lately, for the operator view. Locally the process's own bounded list; in the
 * cloud each function instance sees only what it raised itself, so a durable feed (SNS → table) is
 * the cloud adapter's job.
 */
export interface AlertsFeed {
  /** Newest first, at most `limit`. */
  recent(limit: number): Promise<RaisedAlert[]>;
}
