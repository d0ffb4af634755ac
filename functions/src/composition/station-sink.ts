/**
 * Wires validated station messages (handlers/station-event-sink.ts) to the use-cases. Expected
 * refusals (an ack for a session that moved on, an unknown session) are logged, never retried;
 * only unexpected failures propagate so the platform redelivers the message.
 */
import type { DomainError } from '../domain/errors.js';
import type { Result } from '../domain/result.js';
import type { StationEventSink } from '../handlers/station-event-sink.js';
import type { Alerts } from '../ports/alerts.port.js';
import type { Logger } from '../ports/logger.port.js';
import type { StationRepository } from '../ports/station-repository.port.js';
import type { UseCases } from '../use-cases/index.js';
import type { StationPresence } from '../use-cases/station-presence.js';
import { oneAtATime } from './one-at-a-time.js';

/** See `presenceYieldMs`: a few store round trips, well under any station's report interval. */
export const PRESENCE_YIELD_MS = 250;

function logRefusal<T>(logger: Logger, what: string, fields: Record<string, unknown>, r: Result<T, DomainError>): void {
  if (!r.ok) logger.warn(`${what} refused`, { ...fields, code: r.error.code, message: r.error.message });
}

export function makeStationSink(deps: {
  useCases: Pick<UseCases, 'breakerAcked' | 'meterReported' | 'sessionEndedByStation'>;
  presence: StationPresence;
  alerts: Alerts;
  logger: Logger;
  /** Faults are also kept on the station row, where reconciliation looks for meter anomalies. */
  stations?: Pick<StationRepository, 'recordObservation'>;
  /** How long a station's `state` waits for its ack in flight before it is applied anyway. Default 250 ms. */
  presenceYieldMs?: number;
}): StationEventSink {
  const { useCases, logger } = deps;
  const yieldMs = deps.presenceYieldMs ?? PRESENCE_YIELD_MS;
  // Acks and session_end move the session: one at a time per session (see one-at-a-time.ts).
  const perSession = oneAtATime();
  const perStation = oneAtATime();
  // A station sends its `state` right behind the ack of a breaker command. The ack's session commit
  // is what the driver waits for (CHARGING, the bill), so the presence write lets it reach the store
  // first — but waits at most `yieldMs`: a hung ack must never keep a station's breaker state stale.
  const acking = new Map<string, Promise<unknown>>();
  const ackFirst = (stationId: string, run: Promise<unknown>): void => {
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    acking.set(stationId, settled);
    void settled.then(() => {
      if (acking.get(stationId) === settled) acking.delete(stationId);
    });
  };
  const afterAck = async (stationId: string): Promise<void> => {
    const pending = acking.get(stationId);
    if (!pending) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([pending, new Promise<void>((r) => (timer = setTimeout(r, yieldMs)))]);
    clearTimeout(timer);
  };
  return {
    async ack(stationId, ack) {
      const run = perSession(ack.sessionId, () =>
        useCases.breakerAcked({
          stationId,
          cmdId: ack.cmdId,
          sessionId: ack.sessionId,
          action: ack.action,
          ok: ack.ok,
          reason: ack.reason,
          breaker: ack.breaker,
          registerWh: ack.registerWh,
          at: ack.at,
          ended: ack.ended,
        }),
      );
      ackFirst(stationId, run);
      const r = await run;
      logRefusal(logger, 'ack', { stationId, cmdId: ack.cmdId }, r);
    },
    async meter(stationId, m) {
      const r = await useCases.meterReported({
        stationId,
        sessionId: m.sessionId,
        seq: m.seq,
        at: m.at,
        registerWh: m.registerWh,
        powerW: m.powerW,
      });
      logRefusal(logger, 'meter', { stationId, seq: m.seq }, r);
    },
    async sessionEnd(stationId, end) {
      const r = await perSession(end.sessionId, () =>
        useCases.sessionEndedByStation({
          stationId,
          sessionId: end.sessionId,
          startRegisterWh: end.startRegisterWh,
          stopRegisterWh: end.stopRegisterWh,
          startedAt: end.startedAt,
          endedAt: end.endedAt,
          reason: end.reason,
        }),
      );
      logRefusal(logger, 'session_end', { stationId, sessionId: end.sessionId }, r);
    },
    async fault(stationId, f) {
      await deps.stations?.recordObservation(stationId, {
        code: f.code,
        at: f.at,
        sessionId: f.sessionId ?? undefined,
        detail: f.detail,
      });
      await deps.alerts.raise({
        code: `STATION_FAULT_${f.code}`,
        stationId,
        sessionId: f.sessionId ?? undefined,
        detail: f.detail ?? f.code,
      });
    },
    async pilot(stationId, p) {
      logger.debug('pilot state', { stationId, pilot: p.pilot, sessionId: p.sessionId });
    },
    async boot(stationId, b) {
      logger.info('station booted', { stationId, fw: b.fw, registerWh: b.registerWh });
    },
    async presence(stationId, signal) {
      // In arrival order per station: two `state` messages received in the same millisecond pass the
      // store's receive-time guard in either order, and the older one could otherwise land last.
      await perStation(stationId, async () => {
        await afterAck(stationId);
        return deps.presence.apply(stationId, signal);
      });
    },
  };
}
