import { DomainError } from '../domain/errors.js';
import { err, ok, type Result } from '../domain/result.js';
import type { AnomalyRepository, RecordedAnomaly } from '../ports/anomaly-repository.port.js';
import type { Clock } from '../ports/clock.port.js';
import { OPERATOR_MAX_LIMIT } from './operator-sessions.js';

export type OperatorAnomalies = (q: {
  open?: boolean;
  limit?: number;
}) => Promise<Result<RecordedAnomaly[], DomainError>>;
export type ReviewAnomaly = (input: {
  id: string;
  operatorId: string;
  note: string;
}) => Promise<Result<RecordedAnomaly, DomainError>>;

/** A review note says what the operator did or decided: required, and short enough to keep on the row. */
export const REVIEW_NOTE_MAX = 1_000;

/** Reconciliation's findings, newest first; `open` = not yet reviewed, absent = all. */
export function makeOperatorAnomalies(deps: { anomalies: Pick<AnomalyRepository, 'list'> }): OperatorAnomalies {
  return async ({ open, limit = 50 }) => {
    if (!Number.isInteger(limit) || limit < 1 || limit > OPERATOR_MAX_LIMIT) {
      return err(new DomainError('VALIDATION', `limit must be 1-${OPERATOR_MAX_LIMIT}`));
    }
    return ok(await deps.anomalies.list({ open, limit }));
  };
}

/**
 * Marks an anomaly reviewed with the operator's note. Nothing is repaired or refunded here: the note
 * records what a person did. The first review stands; a second one is refused, naming the first.
 */
export function makeReviewAnomaly(deps: {
  anomalies: Pick<AnomalyRepository, 'get' | 'review'>;
  clock: Clock;
}): ReviewAnomaly {
  return async ({ id, operatorId, note }) => {
    const text = note.trim();
    if (!text) return err(new DomainError('VALIDATION', 'A review needs a note saying what was done.', { id }));
    if (text.length > REVIEW_NOTE_MAX) {
      return err(new DomainError('VALIDATION', `The note must be at most ${REVIEW_NOTE_MAX} characters.`, { id }));
    }
    const review = { operatorId, note: text, at: deps.clock.now().toISOString() };
    if (await deps.anomalies.review(id, review)) {
      const saved = await deps.anomalies.get(id);
      // Anomalies are never deleted: one reviewed a moment ago is there.
      if (!saved) throw new Error(`anomaly ${id} vanished right after its review was saved`);
      return ok(saved);
    }
    const existing = await deps.anomalies.get(id);
    if (!existing) return err(new DomainError('VALIDATION', `No anomaly ${id}.`, { id }));
    return err(
      new DomainError('VALIDATION', `Anomaly ${id} was already reviewed by ${existing.review?.operatorId ?? '?'}.`, {
        id,
        reviewedAt: existing.review?.at,
      }),
    );
  };
}
