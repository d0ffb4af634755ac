import { ok, type Result } from '../domain/result.js';
import type { Session, SessionState } from '../domain/session.js';
import type { SessionEvent } from '../domain/session-events.js';
import { STATION_BOUND_STATES } from '../domain/session-machine.js';
import type { RedriveStep, RedriveTally } from '../ports/redrive-tries.port.js';
import { makeChargeSession } from './charge-session.js';
import type { UseCaseDeps } from './deps.js';
import { transition } from './session-commit.js';
import { breakerCommand, releaseStation, sendCommand } from './station-effects.js';

export interface SweepReport {
  failedToStart: string[];
  cancelled: string[];
  resentClose: string[];
  resentOpen: string[];
  redrivenCharges: string[];
  reconciled: string[];
  /** Steps alerted as stuck in this run (`STUCK_<STATE>`, once per session and state). */
  escalated: string[];
  releasedStations: string[];
  errors: { sessionId?: string; stationId?: string; error: string }[];
}

export type SweepStale = () => Promise<Result<SweepReport, never>>;

/**
 * Scheduled runs start a little early or late (EventBridge, timers): a try due every 60 s seen after
 * 59.9 s would otherwise wait a whole extra run. Tries are spaced at least 90% of their delay.
 */
const PACE_SLACK = 0.9;

/** The states whose step the watchdog repeats, each after its own delay. */
export type RedrivenState = 'ENERGIZING' | 'STOPPING' | 'METERED' | 'PAYMENT_PENDING';

/**
 * The watchdog (run every minute or so; locally every EV_SWEEP_MS). It moves on what an event that
 * never came would have moved:
 *   AWAITING_PAYMENT_METHOD past the checkout timeout → CANCELLED, station freed;
 *   ENERGIZING past the ack timeout, or its station offline → FAILED_TO_START, station freed;
 * and repeats each stuck step idempotently, at most once per delay (counted in RedriveTries, which
 * survives restarts and is shared by concurrent sweepers, so only one of them takes each try):
 *   ENERGIZING past the start resend delay → the same close command (same cmdId, fresh expiry that
 *     ends no later than the ack timeout, so the station cannot close after the start was given up);
 *   STOPPING past the stop resend delay → the same open command (same cmdId, fresh expiry);
 *   METERED / PAYMENT_PENDING past the redrive delay → billing re-driven with the persisted idempotency
 *     key, or, when the PaymentIntent is known, re-read and reconciled from the processor's record;
 *   a station bound to a finished or missing session → freed.
 * After `redriveEscalateAfter` tries of one step a person is alerted once (`STUCK_<STATE>` with the
 * evidence); the step is still re-driven, `escalatedRedriveSlowdown` times less often: every try is
 * idempotent, so a station or processor that recovers completes the session without anyone acting,
 * and nothing is ever refunded automatically. One item failing never stops the others.
 */
export function makeSweepStale(deps: UseCaseDeps): SweepStale {
  const charge = makeChargeSession(deps);
  const cfg = deps.config;
  return async () => {
    const report: SweepReport = {
      failedToStart: [],
      cancelled: [],
      resentClose: [],
      resentOpen: [],
      redrivenCharges: [],
      reconciled: [],
      escalated: [],
      releasedStations: [],
      errors: [],
    };
    const now = deps.clock.now();
    const nowMs = now.getTime();
    const ageMs = (s: Session) => nowMs - Date.parse(s.updatedAt);
    const stale = async (state: SessionState, afterMs: number) =>
      (await deps.sessions.listByState(state, cfg.sweepBatch)).filter((s) => ageMs(s) >= afterMs);
    const each = async (sessions: Session[], fn: (s: Session) => Promise<void>) => {
      for (const s of sessions) {
        try {
          await fn(s);
        } catch (e) {
          report.errors.push({ sessionId: s.id, error: String(e) });
        }
      }
    };
    /**
     * Takes one try of the step (or none: too soon since the last one, possibly another sweeper's),
     * runs it, and escalates once the tries reach the limit — also when the try itself threw.
     * `act` answers whether the session moved on (then there is nothing stuck to alert about).
     */
    const redrive = async (s: Session, state: RedrivenState, gapMs: number, act: () => Promise<boolean>) => {
      const step: RedriveStep = { sessionId: s.id, state };
      const tally = await deps.redriveTries.claim(step, {
        at: now.toISOString(),
        gapMs: gapMs * PACE_SLACK,
        escalatedGapMs: gapMs * cfg.escalatedRedriveSlowdown * PACE_SLACK,
      });
      if (!tally) return;
      let movedOn = false;
      try {
        movedOn = await act();
      } finally {
        if (!movedOn && !tally.escalatedAt && tally.tries >= cfg.redriveEscalateAfter) {
          await escalate(s, step, tally, gapMs * cfg.escalatedRedriveSlowdown, report);
        }
      }
    };

    await each(await stale('AWAITING_PAYMENT_METHOD', cfg.checkoutTimeoutMs), async (s) => {
      if (await end(s, { type: 'CheckoutAbandoned', reason: 'timeout' })) report.cancelled.push(s.id);
    });
    await each(await deps.sessions.listByState('ENERGIZING', cfg.sweepBatch), async (s) => {
      const timedOut = ageMs(s) >= cfg.ackTimeoutMs;
      const offline = !timedOut && (await deps.stations.get(s.stationId))?.online === false;
      if (timedOut || offline) {
        // The close may have worked with its ack lost: open the breaker before the station is freed,
        // or it stays closed for nobody, delivering energy no session bills (found by the soak bench).
        const openIt = (ended: Session) => sendCommand(deps, ended, 'open', deps.ids.next('cmd'));
        const reason = timedOut ? 'ackTimeout' : 'stationOffline';
        if (await end(s, { type: 'StartTimedOut', reason }, openIt)) report.failedToStart.push(s.id);
        return;
      }
      const cmdId = s.startCmdId;
      if (!cmdId || ageMs(s) < cfg.startResendAfterMs) return;
      await redrive(s, 'ENERGIZING', cfg.startResendAfterMs, async () => {
        if (await resendClose(s, cmdId)) report.resentClose.push(s.id);
        return false;
      });
    });
    await each(await stale('STOPPING', cfg.stopResendAfterMs), async (s) => {
      const cmdId = s.stopCmdId;
      if (!cmdId) return;
      await redrive(s, 'STOPPING', cfg.stopResendAfterMs, async () => {
        if (await sendCommand(deps, s, 'open', cmdId)) report.resentOpen.push(s.id);
        return false;
      });
    });
    await each(await stale('METERED', cfg.paymentRedriveAfterMs), async (s) => {
      await redrive(s, 'METERED', cfg.paymentRedriveAfterMs, async () => {
        report.redrivenCharges.push(s.id);
        const r = await charge({ sessionId: s.id });
        return r.ok && r.value.state !== 'METERED';
      });
    });
    await each(await stale('PAYMENT_PENDING', cfg.paymentRedriveAfterMs), async (s) => {
      await redrive(s, 'PAYMENT_PENDING', cfg.paymentRedriveAfterMs, async () => {
        if (!s.paymentIntentId) {
          report.redrivenCharges.push(s.id);
          const r = await charge({ sessionId: s.id });
          return r.ok && r.value.state !== 'PAYMENT_PENDING';
        }
        const moved = await reconcile(s, s.paymentIntentId);
        if (moved) report.reconciled.push(s.id);
        return moved;
      });
    });
    await releaseOrphanedStations(report);
    return ok(report);
  };

  async function end(
    s: Session,
    event: SessionEvent,
    beforeRelease?: (ended: Session) => Promise<unknown>,
  ): Promise<boolean> {
    const applied = await transition(deps, s.id, event);
    if (applied.kind !== 'transitioned') return false;
    await beforeRelease?.(applied.session);
    await releaseStation(deps, applied.session);
    return true;
  }

  /** The close command again; its expiry never outlives the ack timeout (after it the start is given up). */
  async function resendClose(s: Session, cmdId: string): Promise<boolean> {
    const command = breakerCommand(deps, s, 'close', cmdId);
    const deadlineMs = Date.parse(s.updatedAt) + cfg.ackTimeoutMs;
    if (Date.parse(command.expiresAt) > deadlineMs) command.expiresAt = new Date(deadlineMs).toISOString();
    try {
      await deps.breaker.send(s.stationId, command);
      return true;
    } catch (e) {
      deps.logger.error('breaker command not sent', {
        sessionId: s.id,
        stationId: s.stationId,
        cmdId,
        error: String(e),
      });
      return false;
    }
  }

  async function escalate(
    s: Session,
    step: RedriveStep,
    tally: RedriveTally,
    slowGapMs: number,
    report: SweepReport,
  ): Promise<void> {
    const at = deps.clock.now().toISOString();
    if (!(await deps.redriveTries.markEscalated(step, at))) return; // another sweeper raised it
    try {
      await deps.alerts.raise({
        code: `STUCK_${step.state}`,
        sessionId: s.id,
        stationId: s.stationId,
        detail:
          `session ${s.id} at station ${s.stationId} stuck in ${step.state} since ${s.updatedAt}: ` +
          `${tally.tries} tries since ${tally.firstAt}${evidence(s)}; ` +
          `still re-driven every ${Math.round(slowGapMs / 1000)} s, nothing refunded`,
      });
      report.escalated.push(s.id);
    } catch (e) {
      // Not raised: un-mark so the next try raises it.
      await deps.redriveTries.unmarkEscalated(step);
      throw e;
    }
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

/** What the step was waiting on, for the person reading the alert. */
function evidence(s: Session): string {
  const parts: string[] = [];
  if (s.state === 'ENERGIZING' && s.startCmdId) parts.push(`close command ${s.startCmdId}`);
  if (s.state === 'STOPPING' && s.stopCmdId) parts.push(`open command ${s.stopCmdId}`);
  if (s.idempotencyKey) parts.push(`idempotency key ${s.idempotencyKey}`);
  if (s.paymentIntentId) parts.push(`PaymentIntent ${s.paymentIntentId}`);
  if (s.chargeYen !== undefined) parts.push(`¥${s.chargeYen}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}
