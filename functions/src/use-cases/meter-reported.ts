import type { DomainError } from '../domain/errors.js';
import { durationMs, energyBetween, exposureReached, priceYen } from '../domain/pricing.js';
import { err, ok, type Result } from '../domain/result.js';
import type { Session } from '../domain/session.js';
import type { UseCaseDeps } from './deps.js';
import { wrongStation } from './event-outcome.js';
import { publishSession } from './session-commit.js';
import { requestStop } from './stop-charge.js';

/** One meter report (the protocol's `meter`, validated at the edge). */
export interface MeterReading {
  stationId: string;
  sessionId: string | null;
  seq: number;
  at: string;
  registerWh: number;
  powerW: number;
}

export interface MeterOutcome {
  published: boolean;
  stopped: boolean;
}

export type MeterReported = (reading: MeterReading) => Promise<Result<MeterOutcome, DomainError>>;

interface Tracked {
  session: Session;
  lastPublishMs: number;
  lastSeq: number;
}

const MAX_TRACKED = 20_000;
const NOTHING: MeterOutcome = { published: false, stopped: false };

/**
 * The live view. Meter reports are the firehose: nothing is written per report; the session is
 * read only when a publish is due (at most one per session per interval); the reports in between
 * are checked against the exposure cap from memory. Billing never uses these figures (the registers in acks/session_end do).
 */
export function makeMeterReported(deps: UseCaseDeps): MeterReported {
  const tracked = new Map<string, Tracked>();
  const interval = deps.config.livePublishIntervalMs;

  return async (reading) => {
    if (!reading.sessionId) return ok(NOTHING);
    const nowMs = deps.clock.now().getTime();
    let t = tracked.get(reading.sessionId);
    // Re-read when a publish is due, so what subscribers see is never older than one interval.
    if (!t || nowMs - t.lastPublishMs >= interval) {
      const session = await deps.sessions.get(reading.sessionId);
      if (!session) return ok(NOTHING);
      t = { session, lastPublishMs: t?.lastPublishMs ?? Number.NEGATIVE_INFINITY, lastSeq: t?.lastSeq ?? -1 };
      remember(tracked, reading.sessionId, t);
    }
    const session = t.session;
    if (session.stationId !== reading.stationId) return err(wrongStation(reading.stationId, session));
    if (session.state !== 'CHARGING' || session.startRegisterWh === undefined) {
      if (session.state !== 'ENERGIZING') tracked.delete(session.id);
      return ok(NOTHING);
    }
    // Replayed or reordered readings older than the newest one seen add nothing to a live view.
    if (reading.seq <= t.lastSeq) return ok(NOTHING);
    t.lastSeq = reading.seq;

    const energyWh = energyBetween(session.startRegisterWh, reading.registerWh);
    const elapsedMs = durationMs(session.startedAt, reading.at);
    if (exposureReached(session.exposureCap, session.tariff, energyWh, elapsedMs)) {
      tracked.delete(session.id);
      const stopped = await requestStop(deps, session.id, 'exposureCap');
      if (!stopped.ok)
        deps.logger.warn('exposure-cap stop refused', { sessionId: session.id, code: stopped.error.code });
      return ok({ published: false, stopped: stopped.ok });
    }
    if (nowMs - t.lastPublishMs < interval) return ok(NOTHING);
    t.lastPublishMs = nowMs;
    await publishSession(deps, {
      ...session,
      live: {
        seq: reading.seq,
        at: reading.at,
        registerWh: reading.registerWh,
        powerW: reading.powerW,
        energyWh,
        costYen: priceYen(session.tariff, energyWh, elapsedMs),
      },
    });
    return ok({ published: true, stopped: false });
  };
}

function remember(tracked: Map<string, Tracked>, id: string, t: Tracked): void {
  tracked.delete(id);
  if (tracked.size >= MAX_TRACKED) {
    const oldest = tracked.keys().next();
    if (!oldest.done) tracked.delete(oldest.value);
  }
  tracked.set(id, t);
}
