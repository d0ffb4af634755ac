import type { Anomaly } from '../domain/reconciliation.js';

/** An anomaly as kept: what reconciliation found, when, and an operator's review once there is one. */
export interface RecordedAnomaly extends Anomaly {
  foundAt: string;
  review?: { operatorId: string; note: string; at: string };
}

export interface AnomalyRepository {
  /**
   * Records the anomaly unless one with its id exists (a re-run finds the same ids): true when new.
   * An existing record — reviewed or not — is left as it is, so a review is never reopened.
   */
  record(anomaly: Anomaly, foundAt: string): Promise<boolean>;
  get(id: string): Promise<RecordedAnomaly | undefined>;
  /** Newest first; `open` = not yet reviewed. */
  list(opts: { open?: boolean; limit: number }): Promise<RecordedAnomaly[]>;
  /** Marks it reviewed; false when it does not exist or was reviewed already (the first review stands). */
  review(id: string, review: { operatorId: string; note: string; at: string }): Promise<boolean>;
}
