/** What the operator view reads and how it sorts it; pure, so it is checked in node. */
import { z } from 'zod';
import type { OperatorAlert } from '../api/operator-operations.js';
import type { SessionState } from '../api/schemas.js';
import type { ApiError } from '../lib/api-errors.js';

/** Sessions that ended badly or wait for the driver's money: the "recent failures" list. */
export const FAILED_STATES: readonly SessionState[] = ['FAILED_TO_START', 'PAYMENT_FAILED', 'PAYMENT_ACTION_REQUIRED'];

/**
 * Alerts that mean money and meter disagree (or money moved twice): reconciliation anomalies, each to be
 * inspected by a person. Everything else (station faults, refused commands) is an operational alert.
 */
const ANOMALY_CODES = new Set([
  'SESSION_PAID_TWICE',
  'PAYMENT_AMOUNT_MISMATCH',
  'METER_INCONSISTENT',
  'ENERGY_AFTER_FAILED_START',
  'BREAKER_CLOSED_FOR_INACTIVE_SESSION',
  'CHARGE_AMOUNT_TOO_SMALL',
  'PAYMENT_REFUNDED',
  'DISPUTE_OPENED',
]);

export function isAnomaly(alert: Pick<OperatorAlert, 'code'>): boolean {
  // ANOMALY_<KIND>: raised by a reconciliation run for each anomaly it records (reviewed below the alerts).
  return ANOMALY_CODES.has(alert.code) || alert.code.startsWith('RECONCILE') || alert.code.startsWith('ANOMALY_');
}

/** The server's bound on a review note (functions/src/use-cases/operator-anomalies.ts). */
export const REVIEW_NOTE_MAX = 1_000;

/** Why a review note cannot be sent yet (required: a review says what was done), or null when it can. */
export function reviewNoteProblem(note: string): 'operator.reviewNoteRequired' | 'operator.reviewNoteTooLong' | null {
  const text = note.trim();
  if (!text) return 'operator.reviewNoteRequired';
  return text.length > REVIEW_NOTE_MAX ? 'operator.reviewNoteTooLong' : null;
}

/** The evidence JSON as `key: value` pairs for a table cell; unreadable evidence is shown as it came. */
export function evidenceLine(evidence: string): string {
  try {
    const parsed: unknown = JSON.parse(evidence);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.entries(parsed)
        .map(([k, v]) => `${k}: ${v === null ? '—' : String(v)}`)
        .join(' · ');
    }
  } catch {
    // shown raw below
  }
  return evidence;
}

export function splitAlerts(alerts: readonly OperatorAlert[]): { anomalies: OperatorAlert[]; others: OperatorAlert[] } {
  return { anomalies: alerts.filter(isAnomaly), others: alerts.filter((a) => !isAnomaly(a)) };
}

const Refusal = z.object({ errors: z.array(z.object({ errorType: z.string().nullish() })) });

/** The API said "not an operator": AppSync's group check (Unauthorized) or the resolver's FORBIDDEN. */
export function isOperatorRefusal(error: ApiError): boolean {
  if (error.code === 'UNAUTHORIZED') return true;
  const parsed = Refusal.safeParse(error.cause);
  return parsed.success && parsed.data.errors.some((e) => e.errorType === 'FORBIDDEN');
}

/** Short enough for a phone table cell, still unique enough to search the logs with. */
export function shortId(id: string): string {
  return id.length <= 14 ? id : `${id.slice(0, 6)}…${id.slice(-6)}`;
}
