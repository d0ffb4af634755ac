/**
 * What the driver is told about a session in each state. The words stay honest: intermediate states
 * say what is happening ("stopping…"), and every path that took no money says so.
 */

import type { ChargingSession, SessionState } from '../api/schemas.js';
import type { MessageKey } from '../i18n/translate.js';

export type SessionTone = 'progress' | 'live' | 'done' | 'problem';

export interface SessionStateView {
  labelKey: MessageKey;
  hintKey?: MessageKey;
  tone: SessionTone;
  /** Live meter figures and the power chart are meaningful. */
  showsLiveFigures: boolean;
  /** The Stop button is offered. */
  canStop: boolean;
  /** Nothing will change without the driver acting (or ever): live updates can end. */
  settled: boolean;
  /** The driver must pay through the hosted page. */
  needsPayment: boolean;
  /** No money was taken for this session. */
  notCharged: boolean;
  /** The receipt section is meaningful. */
  showsReceipt: boolean;
}

const base = {
  showsLiveFigures: false,
  canStop: false,
  settled: false,
  needsPayment: false,
  notCharged: false,
  showsReceipt: false,
} as const;

const VIEWS: Record<SessionState, SessionStateView> = {
  AWAITING_PAYMENT_METHOD: {
    ...base,
    labelKey: 'session.state.AWAITING_PAYMENT_METHOD',
    hintKey: 'session.hint.awaitingCard',
    tone: 'progress',
  },
  ENERGIZING: {
    ...base,
    labelKey: 'session.state.ENERGIZING',
    hintKey: 'session.hint.energizing',
    tone: 'progress',
    showsLiveFigures: true,
  },
  CHARGING: { ...base, labelKey: 'session.state.CHARGING', tone: 'live', showsLiveFigures: true, canStop: true },
  STOPPING: {
    ...base,
    labelKey: 'session.state.STOPPING',
    hintKey: 'session.hint.stopping',
    tone: 'progress',
    showsLiveFigures: true,
  },
  METERED: { ...base, labelKey: 'session.state.METERED', tone: 'progress', showsReceipt: true },
  PAYMENT_PENDING: {
    ...base,
    labelKey: 'session.state.PAYMENT_PENDING',
    hintKey: 'session.hint.paying',
    tone: 'progress',
    showsReceipt: true,
  },
  PAYMENT_ACTION_REQUIRED: {
    ...base,
    labelKey: 'session.state.PAYMENT_ACTION_REQUIRED',
    tone: 'problem',
    needsPayment: true,
    showsReceipt: true,
  },
  PAID: { ...base, labelKey: 'session.state.PAID', tone: 'done', settled: true, showsReceipt: true },
  PAYMENT_FAILED: {
    ...base,
    labelKey: 'session.state.PAYMENT_FAILED',
    tone: 'problem',
    needsPayment: true,
    showsReceipt: true,
  },
  CARRIED_OVER: {
    ...base,
    labelKey: 'session.state.CARRIED_OVER',
    hintKey: 'session.hint.carriedOver',
    tone: 'done',
    settled: true,
    showsReceipt: true,
  },
  FAILED_TO_START: {
    ...base,
    labelKey: 'session.state.FAILED_TO_START',
    tone: 'problem',
    settled: true,
    notCharged: true,
  },
  CANCELLED: { ...base, labelKey: 'session.state.CANCELLED', tone: 'done', settled: true, notCharged: true },
};

export function sessionStateView(state: SessionState): SessionStateView {
  return VIEWS[state];
}

/** A session still worth following live (it can change without the driver doing anything). */
export function isOngoing(state: SessionState): boolean {
  return !VIEWS[state].settled && !VIEWS[state].needsPayment;
}

const MONEY_PROBLEM_BY_CODE: Readonly<Record<string, MessageKey>> = {
  authentication_required: 'money.authRequired',
  card_declined: 'money.declined',
  generic_decline: 'money.declined',
  do_not_honor: 'money.declined',
  insufficient_funds: 'money.insufficientFunds',
  expired_card: 'money.expiredCard',
};

/** The plain-words explanation of why money is still owed, or undefined when nothing is owed. */
export function moneyProblem(session: Pick<ChargingSession, 'state' | 'failureCode'>): MessageKey | undefined {
  if (session.state === 'PAYMENT_ACTION_REQUIRED') return 'money.authRequired';
  if (session.state !== 'PAYMENT_FAILED') return undefined;
  const code = session.failureCode?.toLowerCase();
  return (code && MONEY_PROBLEM_BY_CODE[code]) || 'money.unknownFailure';
}

const START_FAILURE_BY_CODE: Readonly<Record<string, MessageKey>> = {
  STATION_OFFLINE: 'session.fail.stationOffline',
  ACK_TIMEOUT: 'session.fail.noAnswer',
  COMMAND_NOT_SENT: 'session.fail.noAnswer',
  BREAKER_REFUSED: 'session.fail.refused',
  CHECKOUT_EXPIRED: 'session.fail.checkoutExpired',
  CHECKOUT_TIMEOUT: 'session.fail.checkoutExpired',
};

/** Why a session ended without charging, in plain words, when the backend said why. */
export function startFailure(session: Pick<ChargingSession, 'state' | 'failureCode'>): MessageKey | undefined {
  if (session.state !== 'FAILED_TO_START' && session.state !== 'CANCELLED') return undefined;
  return session.failureCode ? START_FAILURE_BY_CODE[session.failureCode] : undefined;
}

/** Milliseconds the session has been (or was) charging, from startedAt to endedAt or now. */
export function elapsedMs(session: Pick<ChargingSession, 'startedAt' | 'endedAt'>, nowMs: number): number {
  if (!session.startedAt) return 0;
  const start = Date.parse(session.startedAt);
  const end = session.endedAt ? Date.parse(session.endedAt) : nowMs;
  if (Number.isNaN(start) || Number.isNaN(end)) return 0;
  return Math.max(0, end - start);
}

/**
 * Whether an incoming copy of a session should replace the one on screen. Subscription events and
 * polls can arrive late or twice; an older copy must never move the screen backwards.
 */
export function isNewerOrSame(
  current: Pick<ChargingSession, 'updatedAt'> | null,
  incoming: Pick<ChargingSession, 'updatedAt'>,
): boolean {
  if (!current) return true;
  const a = Date.parse(current.updatedAt);
  const b = Date.parse(incoming.updatedAt);
  if (Number.isNaN(a) || Number.isNaN(b)) return true;
  return b >= a;
}
