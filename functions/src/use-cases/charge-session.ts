import { DomainError } from '../domain/errors.js';
import { err, ok, type Result } from '../domain/result.js';
import type { Session } from '../domain/session.js';
import type { SessionEvent } from '../domain/session-events.js';
import type { ChargeOutcome } from '../ports/payment-gateway.port.js';
import type { UseCaseDeps } from './deps.js';
import { type Applied, transition } from './session-commit.js';

export type ChargeSession = (input: {
  sessionId: string;
  /** The session as the caller just read or committed it (saves reading it again). */
  known?: Session;
}) => Promise<Result<Session, DomainError>>;

/**
 * METERED → CARRIED_OVER, or → PAYMENT_PENDING with attempt and idempotency key persisted BEFORE the
 * processor is called; the PaymentIntent id is stored after. A succeeded charge still waits for the
 * payment-succeeded event. Re-driving (sweeper, crash recovery) reuses the persisted key, so the
 * processor replays the first result instead of charging again.
 */
export function makeChargeSession(deps: UseCaseDeps): ChargeSession {
  return async ({ sessionId, known }) => {
    let session = known?.id === sessionId ? known : await deps.sessions.get(sessionId);
    if (!session) return err(new DomainError('SESSION.NOT_FOUND', `No session ${sessionId}.`));
    if (session.state === 'METERED') {
      const billed = await transition(
        deps,
        sessionId,
        (_s, driver) => ({
          type: 'BillingDecided',
          balanceYen: driver?.balanceYen ?? 0,
          customerId: driver?.stripeCustomerId,
          paymentMethodId: driver?.defaultPaymentMethodId,
        }),
        { readDriver: true, known: session },
      );
      session = settled(billed, session);
    }
    if (session.state !== 'PAYMENT_PENDING' || session.paymentIntentId) return ok(session);

    const { customerId, paymentMethodId, idempotencyKey, paymentAttempt, chargeYen } = session;
    if (!customerId || !paymentMethodId) {
      return ok(
        await apply(deps, session, {
          type: 'PaymentDeclined',
          code: 'no_card',
          message: 'No saved card to charge.',
        }),
      );
    }
    if (!idempotencyKey || !paymentAttempt || chargeYen === undefined) {
      throw new Error(`session ${sessionId} is PAYMENT_PENDING without its charge record`);
    }
    const outcome = await deps.payments.chargeOffSession({
      customerId,
      paymentMethodId,
      amountYen: chargeYen,
      sessionId,
      attempt: paymentAttempt,
      idempotencyKey,
    });
    deps.logger.info('off-session charge', { sessionId, idempotencyKey, outcome: outcome.kind });
    const event = eventFor(outcome);
    if (event) return ok(await apply(deps, session, event));
    if (outcome.kind === 'amount_too_small') {
      await deps.alerts.raise({
        code: 'CHARGE_AMOUNT_TOO_SMALL',
        sessionId,
        detail: `processor refused ¥${chargeYen} as too small; session left PAYMENT_PENDING`,
      });
    }
    return ok(session);
  };
}

function eventFor(outcome: ChargeOutcome): SessionEvent | undefined {
  switch (outcome.kind) {
    case 'succeeded':
    case 'processing':
      return { type: 'ChargeSubmitted', paymentIntentId: outcome.paymentIntentId, status: outcome.kind };
    case 'action_required':
      return { type: 'PaymentActionRequired', paymentIntentId: outcome.paymentIntentId };
    case 'declined':
      return {
        type: 'PaymentDeclined',
        paymentIntentId: outcome.paymentIntentId,
        code: outcome.code,
        declineCode: outcome.declineCode,
        message: outcome.message,
      };
    default:
      return undefined;
  }
}

async function apply(deps: UseCaseDeps, session: Session, event: SessionEvent): Promise<Session> {
  const applied = await transition(deps, session.id, event, { known: session });
  if (applied.kind === 'illegal') {
    deps.logger.warn('charge result does not fit the session', { sessionId: session.id, error: applied.error.message });
  }
  return settled(applied, session);
}

function settled(applied: Applied, fallback: Session): Session {
  return applied.kind === 'missing' ? fallback : applied.session;
}
