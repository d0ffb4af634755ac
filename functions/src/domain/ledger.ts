/**
 * The ledger: an append-only record of every transition — when, why, and the evidence
 * (command id, register reading, Stripe object id) that justified it.
 */
import type { SessionState } from './session.js';

export interface LedgerEvidence {
  cmdId?: string;
  registerWh?: number;
  stripeObjectId?: string;
  stripeEventId?: string;
  amountYen?: number;
  [key: string]: string | number | boolean | undefined;
}

export interface LedgerEntry {
  sessionId: string;
  /** 1-based, equal to the session version the transition produced. */
  seq: number;
  at: string;
  from: SessionState | null;
  to: SessionState;
  /** The domain event that caused the transition (e.g. `BreakerClosed`). */
  cause: string;
  evidence: LedgerEvidence;
}
