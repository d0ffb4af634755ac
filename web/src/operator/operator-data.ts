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
  return ANOMALY_CODES.has(alert.code) || alert.code.startsWith('RECONCILE');
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
