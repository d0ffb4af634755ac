/**
 * The session state machine (ARCHITECTURE.md): pure, forward-only, one ledger entry per transition.
 * For every (state, event) the answer is exactly one of:
 *   transitioned — the event moves the session on (the entry records cause and evidence);
 *   noop         — the session already reached or passed what the event would cause (a duplicate or
 *                  late delivery); the caller reports the state reached;
 *   illegal      — the event cannot belong to this session now (a typed SESSION.ILLEGAL_TRANSITION).
 * Beyond the diagram: a station's session_end also meters from ENERGIZING (it can overtake the close
 * ack), a stop cancels a session still awaiting its card, and refunds annotate a PAID session.
 */
import { chargeIdempotencyKey, decideBilling } from './billing.js';
import { DomainError } from './errors.js';
import type { LedgerEntry, LedgerEvidence } from './ledger.js';
import { durationMs, energyBetween, priceYen } from './pricing.js';
import type { Session, SessionState } from './session.js';
import type { SessionEvent } from './session-events.js';

export type Transition =
  | { kind: 'transitioned'; session: Session; entry: LedgerEntry }
  | { kind: 'noop'; state: SessionState }
  | { kind: 'illegal'; error: DomainError };

/** Progress order: a session's rank never decreases. Outcomes on parallel branches share a rank. */
export const STATE_RANK: Record<SessionState, number> = {
  AWAITING_PAYMENT_METHOD: 0,
  ENERGIZING: 1,
  CHARGING: 2,
  STOPPING: 3,
  METERED: 4,
  PAYMENT_PENDING: 5,
  PAYMENT_ACTION_REQUIRED: 6,
  PAYMENT_FAILED: 6,
  PAID: 7,
  CARRIED_OVER: 7,
  FAILED_TO_START: 7,
  CANCELLED: 7,
};

export const TERMINAL_STATES: readonly SessionState[] = ['PAID', 'CARRIED_OVER', 'FAILED_TO_START', 'CANCELLED'];
/** States in which the station is bound to the session. */
export const STATION_BOUND_STATES: readonly SessionState[] = [
  'AWAITING_PAYMENT_METHOD',
  'ENERGIZING',
  'CHARGING',
  'STOPPING',
];
const BILLED: readonly SessionState[] = [
  'PAYMENT_PENDING',
  'PAYMENT_ACTION_REQUIRED',
  'PAYMENT_FAILED',
  'PAID',
  'CARRIED_OVER',
];
const METERED_OR_LATER: readonly SessionState[] = ['METERED', ...BILLED];
const PAYMENT_OUTCOMES: readonly SessionState[] = ['PAYMENT_ACTION_REQUIRED', 'PAYMENT_FAILED', 'PAID'];
const STARTED_OR_LATER: readonly SessionState[] = ['CHARGING', 'STOPPING', ...METERED_OR_LATER, 'FAILED_TO_START'];

type Step =
  | { kind: 'move'; to: SessionState; patch: Partial<Session>; evidence: LedgerEvidence }
  | { kind: 'noop' }
  | { kind: 'illegal'; why: string };

const move = (to: SessionState, patch: Partial<Session>, evidence: LedgerEvidence = {}): Step => ({
  kind: 'move',
  to,
  patch,
  evidence,
});
const NOOP: Step = { kind: 'noop' };
const illegal = (why: string): Step => ({ kind: 'illegal', why });
/** Not the step this event causes from here: late (noop) if the session is past it, else illegal. */
const otherwise = (state: SessionState, passed: readonly SessionState[], why: string): Step =>
  passed.includes(state) ? NOOP : illegal(why);

export function applyEvent(session: Session, event: SessionEvent, at: string): Transition {
  const step = decide(session, event, at);
  if (step.kind === 'noop') return { kind: 'noop', state: session.state };
  if (step.kind === 'illegal') {
    return {
      kind: 'illegal',
      error: new DomainError('SESSION.ILLEGAL_TRANSITION', `${event.type} in ${session.state}: ${step.why}`, {
        sessionId: session.id,
        state: session.state,
        event: event.type,
      }),
    };
  }
  const next: Session = { ...session, ...step.patch, state: step.to, version: session.version + 1, updatedAt: at };
  // Cleared fields are removed, not stored as undefined (stores differ on what undefined means).
  for (const key of Object.keys(next) as (keyof Session)[]) if (next[key] === undefined) delete next[key];
  const entry: LedgerEntry = {
    sessionId: session.id,
    seq: next.version,
    at,
    from: session.state,
    to: step.to,
    cause: event.type,
    evidence: dropUndefined(step.evidence),
  };
  return { kind: 'transitioned', session: next, entry };
}

function decide(s: Session, e: SessionEvent, at: string): Step {
  switch (e.type) {
    case 'CheckoutCompleted':
      if (s.state !== 'AWAITING_PAYMENT_METHOD') return NOOP;
      if (s.checkoutSessionId && s.checkoutSessionId !== e.checkoutSessionId) return illegal('another checkout');
      return move(
        'ENERGIZING',
        {
          paymentMethodId: e.paymentMethodId,
          cardBrand: e.cardBrand,
          cardLast4: e.cardLast4,
          startCmdId: e.startCmdId,
        },
        { stripeObjectId: e.checkoutSessionId, stripeEventId: e.eventId, cmdId: e.startCmdId },
      );
    case 'CheckoutAbandoned':
      if (s.state !== 'AWAITING_PAYMENT_METHOD') return NOOP;
      if (e.checkoutSessionId && s.checkoutSessionId && s.checkoutSessionId !== e.checkoutSessionId) {
        return illegal('another checkout');
      }
      return move(
        'CANCELLED',
        { failureCode: e.reason === 'expired' ? 'CHECKOUT_EXPIRED' : 'CHECKOUT_TIMEOUT' },
        { stripeObjectId: e.checkoutSessionId, stripeEventId: e.eventId, reason: e.reason },
      );
    case 'BreakerClosed':
      if (s.state !== 'ENERGIZING') return otherwise(s.state, STARTED_OR_LATER, 'no close command is pending');
      if (e.cmdId !== s.startCmdId) return illegal(`ack for ${e.cmdId}, expected ${s.startCmdId}`);
      return move(
        'CHARGING',
        { startRegisterWh: e.registerWh, startedAt: e.at },
        { cmdId: e.cmdId, registerWh: e.registerWh },
      );
    case 'BreakerRefused':
    case 'StartTimedOut': {
      if (s.state !== 'ENERGIZING') return otherwise(s.state, STARTED_OR_LATER, 'the session is not energizing');
      if (e.type === 'BreakerRefused' && e.cmdId !== s.startCmdId) return illegal(`ack for ${e.cmdId}`);
      const code = e.type === 'BreakerRefused' ? 'BREAKER_REFUSED' : START_FAILURE_CODE[e.reason];
      return move(
        'FAILED_TO_START',
        { failureCode: code, failureMessage: e.reason },
        { cmdId: s.startCmdId, reason: e.reason },
      );
    }
    case 'StopRequested':
      if (s.state === 'AWAITING_PAYMENT_METHOD')
        return move('CANCELLED', { stopReason: e.reason }, { reason: e.reason });
      if (s.state === 'CHARGING') {
        return move('STOPPING', { stopCmdId: e.cmdId, stopReason: e.reason }, { cmdId: e.cmdId, reason: e.reason });
      }
      if (s.state === 'ENERGIZING') return illegal('the breaker is still closing; stop once charging');
      return NOOP;
    case 'BreakerOpened':
      if (s.state !== 'STOPPING') {
        return otherwise(s.state, [...METERED_OR_LATER, 'FAILED_TO_START', 'CANCELLED'], 'no open command is pending');
      }
      if (e.cmdId !== s.stopCmdId) return illegal(`ack for ${e.cmdId}, expected ${s.stopCmdId}`);
      // Metered exactly as its session_end would be: the ack may come long after the end.
      return meter(
        s,
        s.startRegisterWh ?? e.registerWh,
        e.ended?.stopRegisterWh ?? e.registerWh,
        s.startedAt ?? e.at,
        e.ended?.endedAt ?? e.at,
        s.stopReason ?? 'remote',
        { cmdId: e.cmdId, stationReason: e.ended?.reason },
      );
    case 'SessionEnded':
      if (s.state === 'ENERGIZING' || s.state === 'CHARGING' || s.state === 'STOPPING') {
        return meter(
          s,
          s.startRegisterWh ?? e.startRegisterWh,
          e.stopRegisterWh,
          s.startedAt ?? e.startedAt,
          e.endedAt,
          s.stopReason ?? e.reason,
          { stationReason: e.reason },
        );
      }
      return otherwise(s.state, [...METERED_OR_LATER, 'FAILED_TO_START'], 'the session never started');
    case 'BillingDecided': {
      if (s.state !== 'METERED') return otherwise(s.state, BILLED, 'the session is not metered');
      const decision = decideBilling(s.amountYen ?? 0, e.balanceYen);
      if (decision.kind === 'carry') {
        return move(
          'CARRIED_OVER',
          { carriedInYen: 0, chargeYen: 0 },
          { amountYen: s.amountYen, balanceAfterYen: decision.balanceAfterYen },
        );
      }
      const key = chargeIdempotencyKey(s.id, 1);
      return move(
        'PAYMENT_PENDING',
        {
          carriedInYen: decision.carriedInYen,
          chargeYen: decision.chargeYen,
          paymentAttempt: 1,
          idempotencyKey: key,
          customerId: e.customerId,
          paymentMethodId: e.paymentMethodId ?? s.paymentMethodId,
        },
        { amountYen: decision.chargeYen, carriedInYen: decision.carriedInYen, idempotencyKey: key },
      );
    }
    case 'ChargeSubmitted':
      if (s.state !== 'PAYMENT_PENDING') return otherwise(s.state, PAYMENT_OUTCOMES, 'no charge is pending');
      if (s.paymentIntentId === e.paymentIntentId) return NOOP;
      if (s.paymentIntentId) return illegal(`already charging with ${s.paymentIntentId}`);
      return move(
        'PAYMENT_PENDING',
        { paymentIntentId: e.paymentIntentId },
        { stripeObjectId: e.paymentIntentId, status: e.status },
      );
    case 'PaymentActionRequired':
    case 'PaymentDeclined': {
      if (s.state !== 'PAYMENT_PENDING') return otherwise(s.state, PAYMENT_OUTCOMES, 'no charge is pending');
      const pi = e.paymentIntentId ?? s.paymentIntentId;
      if (e.type === 'PaymentActionRequired') {
        return move(
          'PAYMENT_ACTION_REQUIRED',
          { paymentIntentId: pi, failureCode: 'authentication_required' },
          { stripeObjectId: pi, stripeEventId: e.eventId },
        );
      }
      return move(
        'PAYMENT_FAILED',
        { paymentIntentId: pi, failureCode: e.declineCode ?? e.code, failureMessage: e.message },
        { stripeObjectId: pi, stripeEventId: e.eventId, code: e.code, declineCode: e.declineCode },
      );
    }
    case 'PaymentSucceeded':
      if (s.state === 'PAID') return NOOP;
      if (!['PAYMENT_PENDING', 'PAYMENT_ACTION_REQUIRED', 'PAYMENT_FAILED'].includes(s.state)) {
        return illegal('nothing is due on this session');
      }
      return move(
        'PAID',
        {
          paymentIntentId: e.paymentIntentId,
          paidAt: at,
          // Another card paid (hosted recovery): the receipt names it, never the card that failed.
          ...(e.paymentMethodId
            ? { paymentMethodId: e.paymentMethodId, cardBrand: e.cardBrand, cardLast4: e.cardLast4 }
            : { cardBrand: e.cardBrand ?? s.cardBrand, cardLast4: e.cardLast4 ?? s.cardLast4 }),
          failureCode: undefined,
          failureMessage: undefined,
        },
        {
          stripeObjectId: e.paymentIntentId,
          stripeEventId: e.eventId,
          amountYen: e.amountYen,
          via: e.via,
          paymentMethodId: e.paymentMethodId,
          cardLast4: e.paymentMethodId ? e.cardLast4 : undefined,
          savedAsDefault: e.savedAsDefault,
        },
      );
    case 'Refunded':
      if (s.state !== 'PAID') return illegal('only a paid session can be refunded');
      if (e.amountYen <= (s.refundedYen ?? 0)) return NOOP;
      return move(
        'PAID',
        { refundedYen: e.amountYen },
        { stripeObjectId: e.paymentIntentId, stripeEventId: e.eventId, amountYen: e.amountYen },
      );
  }
}

const START_FAILURE_CODE = {
  ackTimeout: 'ACK_TIMEOUT',
  stationOffline: 'STATION_OFFLINE',
  commandNotSent: 'COMMAND_NOT_SENT',
} as const;

function meter(
  s: Session,
  startRegisterWh: number,
  stopRegisterWh: number,
  startedAt: string,
  endedAt: string,
  stopReason: Session['stopReason'],
  evidence: LedgerEvidence,
): Step {
  const energyWh = energyBetween(startRegisterWh, stopRegisterWh);
  const amountYen = priceYen(s.tariff, energyWh, durationMs(startedAt, endedAt));
  const backwards = stopRegisterWh < startRegisterWh;
  return move(
    'METERED',
    {
      startRegisterWh,
      stopRegisterWh,
      startedAt,
      endedAt,
      energyWh,
      amountYen,
      stopReason,
      ...(backwards ? { failureCode: 'METER_INCONSISTENT' } : {}),
    },
    { ...evidence, registerWh: stopRegisterWh, startRegisterWh, energyWh, amountYen },
  );
}

function dropUndefined(evidence: LedgerEvidence): LedgerEvidence {
  return Object.fromEntries(Object.entries(evidence).filter(([, v]) => v !== undefined));
}
