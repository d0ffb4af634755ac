import { ok, type Result } from '../domain/result.js';
import type { Session, SessionState } from '../domain/session.js';
import type { SessionEvent } from '../domain/session-events.js';
import { STATION_BOUND_STATES } from '../domain/session-machine.js';
import { makeChargeSession } from './charge-session.js';
import type { UseCaseDeps } from './deps.js';
import { transition } from './session-commit.js';
import { releaseStation, sendCommand } from './station-effects.js';

export interface SweepReport {
  failedToStart: string[];
  cancelled: string[];
  resentOpen: string[];
  redrivenCharges: string[];
  reconciled: string[];
  releasedStations: string[];
  errors: { sessionId?: string; stationId?: string; error: string }[];
}

export type SweepStale = () => Promise<Result<SweepReport, never>>;

/**
 * Moves on what an event that never came would have moved (run every minute or so):
 *   AWAITING_PAYMENT_METHOD past the checkout timeout → CANCELLED, station freed;
 *   ENERGIZING past the ack timeout, or its station offline → FAILED_TO_START, station freed;
 *   STOPPING past the resend delay → the same open command again (same cmdId, fresh expiry);
 *   METERED / PAYMENT_PENDING past the redrive delay → billing re-driven with the persisted key, or,
 *   when the PaymentIntent is known, reconciled from the processor's own record of it;
 *   a station bound to a finished or missing session → freed.
 * One item failing never stops the others; the report says what happened.
 */
export function makeSweepStale(deps: UseCaseDeps): SweepStale {
  const charge = makeChargeSession(deps);
  const cfg = deps.config;
  return async () => {
    const report: SweepReport = {
      failedToStart: [],
      cancelled: [],
      resentOpen: [],
      redrivenCharges: [],
      reconciled: [],
      releasedStations: [],
      errors: [],
    };
    const nowMs = deps.clock.now().getTime();
    const stale = async (state: SessionState, afterMs: number) =>
      (await deps.sessions.listByState(state, cfg.sweepBatch)).filter(
        (s) => nowMs - Date.parse(s.updatedAt) >= afterMs,
      );
    const each = async (sessions: Session[], fn: (s: Session) => Promise<void>) => {
      for (const s of sessions) {
        try {
          await fn(s);
        } catch (e) {
          report.errors.push({ sessionId: s.id, error: String(e) });
        }
      }
    };

    await each(await stale('AWAITING_PAYMENT_METHOD', cfg.checkoutTimeoutMs), async (s) => {
      if (await end(s, { type: 'CheckoutAbandoned', reason: 'timeout' })) report.cancelled.push(s.id);
    });
    await each(await deps.sessions.listByState('ENERGIZING', cfg.sweepBatch), async (s) => {
      const timedOut = nowMs - Date.parse(s.updatedAt) >= cfg.ackTimeoutMs;
      const offline = !timedOut && (await deps.stations.get(s.stationId))?.online === false;
      if (!timedOut && !offline) return;
      if (await end(s, { type: 'StartTimedOut', reason: timedOut ? 'ackTimeout' : 'stationOffline' })) {
        report.failedToStart.push(s.id);
      }
    });
    await each(await stale('STOPPING', cfg.stopResendAfterMs), async (s) => {
      if (s.stopCmdId && (await sendCommand(deps, s, 'open', s.stopCmdId))) report.resentOpen.push(s.id);
    });
    await each(await stale('METERED', cfg.paymentRedriveAfterMs), async (s) => {
      await charge({ sessionId: s.id });
      report.redrivenCharges.push(s.id);
    });
    await each(await stale('PAYMENT_PENDING', cfg.paymentRedriveAfterMs), async (s) => {
      if (!s.paymentIntentId) {
        await charge({ sessionId: s.id });
        report.redrivenCharges.push(s.id);
      } else if (await reconcile(s, s.paymentIntentId)) {
        report.reconciled.push(s.id);
      }
    });
    await releaseOrphanedStations(report);
    return ok(report);
  };

  async function end(s: Session, event: SessionEvent): Promise<boolean> {
    const applied = await transition(deps, s.id, event);
    if (applied.kind !== 'transitioned') return false;
    await releaseStation(deps, applied.session);
    return true;
  }

  /** The payment-succeeded event may have been lost: the processor's record of the intent decides. */
  async function reconcile(s: Session, paymentIntentId: string): Promise<boolean> {
    const pi = await deps.payments.retrievePaymentIntent(paymentIntentId);
    let event: SessionEvent | undefined;
    if (pi?.status === 'succeeded') {
      event = { type: 'PaymentSucceeded', paymentIntentId, amountYen: pi.amountYen, via: 'offSession' };
    } else if (pi?.status === 'requires_action') {
      event = { type: 'PaymentActionRequired', paymentIntentId };
    } else if (pi?.status === 'requires_payment_method' || pi?.status === 'canceled') {
      event = { type: 'PaymentDeclined', paymentIntentId, code: pi.status, message: `payment ${pi.status}` };
    }
    if (!event) return false;
    const applied = await transition(deps, s.id, event);
    if (applied.kind === 'transitioned') deps.logger.warn('payment reconciled without its event', { sessionId: s.id });
    return applied.kind === 'transitioned';
  }

  async function releaseOrphanedStations(report: SweepReport): Promise<void> {
    const nowMs = deps.clock.now().getTime();
    for (const station of await deps.stations.list()) {
      const sessionId = station.activeSessionId;
      // A claim younger than the ack timeout may belong to a start still in flight.
      if (!sessionId || nowMs - Date.parse(station.updatedAt) < cfg.ackTimeoutMs) continue;
      try {
        const session = await deps.sessions.get(sessionId);
        if (session && STATION_BOUND_STATES.includes(session.state)) continue;
        if (await deps.stations.release(station.id, sessionId, deps.clock.now().toISOString())) {
          report.releasedStations.push(station.id);
        }
      } catch (e) {
        report.errors.push({ stationId: station.id, error: String(e) });
      }
    }
  }
}
