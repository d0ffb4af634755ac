/**
 * The charging session aggregate: the one record every asynchronous result moves forward.
 * Types only here; transitions live in session-machine.ts.
 */
import type { Tariff } from './tariff.js';

export const SESSION_STATES = [
  'AWAITING_PAYMENT_METHOD',
  'ENERGIZING',
  'CHARGING',
  'STOPPING',
  'METERED',
  'PAYMENT_PENDING',
  'PAYMENT_ACTION_REQUIRED',
  'PAID',
  'PAYMENT_FAILED',
  'CARRIED_OVER',
  'FAILED_TO_START',
  'CANCELLED',
] as const;
export type SessionState = (typeof SESSION_STATES)[number];

export type StopReason = 'remote' | 'evDisconnected' | 'powerLoss' | 'fault' | 'offlineCap' | 'exposureCap';

export interface ExposureCap {
  maxYen?: number;
  maxWh?: number;
}

/** Live, non-authoritative view from meter reports (never used for billing). */
export interface LiveReading {
  seq: number;
  at: string;
  registerWh: number;
  powerW: number;
  /** Energy so far: this register minus the start register (Wh). */
  energyWh?: number;
  /** Running cost so far, priced with the same single rounding as the final amount (yen). */
  costYen?: number;
}

export interface Session {
  id: string;
  driverId: string;
  stationId: string;
  /** The driver's idempotency key for startCharge: the same key returns the same session. */
  startKey: string;
  state: SessionState;
  /** Optimistic-concurrency version: incremented by every persisted transition. */
  version: number;
  tariff: Tariff;
  exposureCap?: ExposureCap;
  createdAt: string;
  updatedAt: string;
  checkoutSessionId?: string;
  checkoutUrl?: string;
  startCmdId?: string;
  stopCmdId?: string;
  startedAt?: string;
  endedAt?: string;
  startRegisterWh?: number;
  stopRegisterWh?: number;
  energyWh?: number;
  /** This session's own amount (yen, rounded once). */
  amountYen?: number;
  /** Balance carried in from earlier sub-¥50 sessions and charged with this one. */
  carriedInYen?: number;
  /** What was (or will be) charged to the card: amountYen + carriedInYen. */
  chargeYen?: number;
  paymentAttempt?: number;
  /** `charge:{sessionId}:{attempt}`: persisted before the processor is called, reused by every retry. */
  idempotencyKey?: string;
  /** Processor customer the charge is made against (pinned at billing so a retry sends the same request). */
  customerId?: string;
  paymentIntentId?: string;
  paymentMethodId?: string;
  cardBrand?: string;
  cardLast4?: string;
  paidAt?: string;
  /** Cumulative refunded amount (operator action; never automatic). */
  refundedYen?: number;
  stopReason?: StopReason;
  failureCode?: string;
  failureMessage?: string;
  live?: LiveReading;
}
