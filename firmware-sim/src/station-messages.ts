import type { CommandLimits } from '../../contracts/station-protocol.js';
import {
  type MeterReport,
  PROTOCOL_VERSION,
  type SessionEndReason,
  type StationEvent,
  type StationState,
} from '../../contracts/station-protocol.js';
import type { Cap, ChargePoint } from './charge-point.js';

/** What a station remembers about the session it serves (in non-volatile memory). */
export interface ActiveSession {
  id: string;
  startRegisterWh: number;
  startedAtMs: number;
  startDeliveredWh: number;
  limits: CommandLimits;
  /** The breaker could not open for a cap (welded): stop re-triggering it. */
  capsDisarmed: boolean;
}

export type FaultCode = Extract<StationEvent, { event: 'fault' }>['code'];

export const iso = (ms: number): string => new Date(ms).toISOString();

export function stateMessage(cp: ChargePoint, sessionId: string | null, atMs: number): StationState {
  return {
    v: PROTOCOL_VERSION,
    model: cp.spec.model,
    ratedW: cp.spec.ratedW,
    voltageV: cp.spec.voltageV,
    breaker: cp.breaker,
    sessionId,
    registerWh: cp.meter.registerWh,
    pilot: cp.pilot(),
    fw: cp.spec.fw,
    at: iso(atMs),
  };
}

export function meterMessage(
  cp: ChargePoint,
  seq: number,
  sessionId: string | null,
  atMs: number,
  offline: boolean,
): MeterReport {
  return {
    v: PROTOCOL_VERSION,
    seq,
    at: iso(atMs),
    registerWh: cp.meter.registerWh,
    ...cp.sample(),
    breaker: cp.breaker,
    sessionId,
    pilot: cp.pilot(),
    ...(offline ? { replayed: true } : {}),
  };
}

export function sessionEndMessage(
  s: ActiveSession,
  stopRegisterWh: number,
  reason: SessionEndReason,
  endedAtMs: number,
  atMs: number,
): StationEvent {
  return {
    v: PROTOCOL_VERSION,
    event: 'session_end',
    sessionId: s.id,
    startRegisterWh: s.startRegisterWh,
    stopRegisterWh,
    startedAt: iso(s.startedAtMs),
    endedAt: iso(endedAtMs),
    reason,
    at: iso(atMs),
  };
}

export function faultMessage(code: FaultCode, sessionId: string | null, atMs: number, detail?: string): StationEvent {
  return { v: PROTOCOL_VERSION, event: 'fault', code, sessionId, ...(detail ? { detail } : {}), at: iso(atMs) };
}

/**
 * The caps the firmware enforces on a session: the exposure cap (`limits.maxWh`) always, and while
 * offline the offline energy/time cap from the command, else the station's defaults.
 */
export function sessionCaps(
  s: ActiveSession | null,
  offline: { sinceMs: number; deliveredWh: number } | null,
  defaults: { maxWh: number; maxSec: number },
): Cap[] {
  if (!s || s.capsDisarmed) return [];
  const caps: Cap[] = [];
  if (s.limits.maxWh !== undefined) caps.push({ id: 'exposureCap', deliveredWh: s.startDeliveredWh + s.limits.maxWh });
  if (offline) {
    const maxWh = s.limits.offlineMaxWh ?? defaults.maxWh;
    const maxSec = s.limits.offlineMaxSec ?? defaults.maxSec;
    caps.push({
      id: 'offlineCap',
      deliveredWh: offline.deliveredWh + maxWh,
      deadlineMs: Math.max(offline.sinceMs, s.startedAtMs) + maxSec * 1000,
    });
  }
  return caps;
}
