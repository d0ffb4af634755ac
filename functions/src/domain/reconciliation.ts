/**
 * Reconciliation: compares what we recorded (sessions, their ledgers, stations and what stations
 * reported) with what the processor holds (PaymentIntents) and finds every inconsistency. A pure
 * function of its input: false positives are allowed, misses are not. Each anomaly's id is its kind
 * plus its subject, so a re-run finds the same ids and never records one twice.
 */
import type { LedgerEntry } from './ledger.js';
import { durationMs, priceYen } from './pricing.js';
import type { Session, SessionState } from './session.js';
import type { Station, StationObservation } from './station.js';

export const ANOMALY_KINDS = [
  'CHARGED_NOT_RECORDED',
  'PAID_WITHOUT_SUCCEEDED_PI',
  'DOUBLE_CHARGE',
  'METERED_NOT_CHARGED',
  'BREAKER_CLOSED_WITHOUT_SESSION',
  'CHARGING_OFFLINE_PAST_CAP',
  'METER_REGISTER_BACKWARDS',
  'METER_SERIAL_CHANGED',
  'AMOUNT_MISMATCH',
] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export type AnomalyEvidence = Record<string, string | number | boolean | null>;

export interface Anomaly {
  /** `${kind}:${subject}` — stable across runs. */
  id: string;
  kind: AnomalyKind;
  /** What the anomaly is about: a session, PaymentIntent or station id (with an episode for stations). */
  subject: string;
  sessionId?: string;
  stationId?: string;
  paymentIntentId?: string;
  detail: string;
  evidence: AnomalyEvidence;
}

/** The processor's record of one PaymentIntent (the payment-gateway port's view, restated here). */
export interface IntentRecord {
  id: string;
  status: string;
  amountYen: number;
  sessionId?: string;
  created: string;
}

export interface ReconciliationTimeouts {
  /** METERED / PAYMENT_PENDING longer than this is "metered but not charged" (the sweeper had its go). */
  meteredNotChargedMs: number;
  /** CHARGING while the station has been offline longer than this is past the offline cap. */
  offlineCapMs: number;
}

export interface ReconciliationInput {
  sessions: readonly Session[];
  /** Ledgers of some sessions (those read): a second transition into PAID is a double charge. */
  ledgers?: ReadonlyMap<string, readonly LedgerEntry[]>;
  paymentIntents: readonly IntentRecord[];
  stations: readonly Station[];
  now: string;
  timeouts: ReconciliationTimeouts;
}

/** A station's breaker may be closed only for a session in one of these states. */
const POWERED_STATES: readonly SessionState[] = ['ENERGIZING', 'CHARGING', 'STOPPING'];
/** States where a payment is being sorted out: a succeeded intent may not have arrived yet. */
const PAYMENT_OPEN_STATES: readonly SessionState[] = ['PAYMENT_PENDING', 'PAYMENT_ACTION_REQUIRED', 'PAYMENT_FAILED'];
const BACKWARDS_CODES = ['meterBackwards', 'registerBackwards'];
const SERIAL_CODES = ['meterReset'];

export function detectAnomalies(input: ReconciliationInput): Anomaly[] {
  const found = new Map<string, Anomaly>();
  const add = (a: Omit<Anomaly, 'id'>): void => {
    const id = `${a.kind}:${a.subject}`;
    if (!found.has(id)) found.set(id, { id, ...a });
  };
  const nowMs = Date.parse(input.now);
  const sessions = new Map(input.sessions.map((s) => [s.id, s]));
  const stations = new Map(input.stations.map((st) => [st.id, st]));
  const succeeded = input.paymentIntents.filter((pi) => pi.status === 'succeeded');
  const intents = new Map(input.paymentIntents.map((pi) => [pi.id, pi]));
  const age = (iso: string | undefined) => (iso ? nowMs - Date.parse(iso) : Number.POSITIVE_INFINITY);

  checkIntents();
  for (const s of input.sessions) checkSession(s);
  for (const [sessionId, entries] of input.ledgers ?? []) {
    const paid = entries.filter((e) => e.to === 'PAID' && e.from !== 'PAID');
    if (paid.length > 1) {
      add({
        kind: 'DOUBLE_CHARGE',
        subject: sessionId,
        sessionId,
        detail: `${paid.length} transitions into PAID`,
        evidence: { intents: paid.map((e) => String(e.evidence.stripeObjectId)).join(',') },
      });
    }
  }
  for (const st of input.stations) checkStation(st);
  checkRegistersAcrossSessions();
  return [...found.values()].sort((a, b) => a.id.localeCompare(b.id));

  function checkIntents(): void {
    const bySession = new Map<string, IntentRecord[]>();
    for (const pi of succeeded) {
      const s = pi.sessionId ? sessions.get(pi.sessionId) : undefined;
      if (pi.sessionId) bySession.set(pi.sessionId, [...(bySession.get(pi.sessionId) ?? []), pi]);
      const recorded = s?.state === 'PAID' && s.paymentIntentId === pi.id;
      // Its own charge still being applied (webhook on its way, the sweeper re-reads it): not yet.
      const settling =
        s !== undefined &&
        PAYMENT_OPEN_STATES.includes(s.state) &&
        s.paymentIntentId === pi.id &&
        age(s.updatedAt) < input.timeouts.meteredNotChargedMs;
      if (!recorded && !settling) {
        add({
          kind: 'CHARGED_NOT_RECORDED',
          subject: pi.id,
          paymentIntentId: pi.id,
          sessionId: pi.sessionId,
          stationId: s?.stationId,
          detail: `¥${pi.amountYen} charged; session ${pi.sessionId ?? '(none named)'} is ${s ? `${s.state} with ${s.paymentIntentId ?? 'no intent'}` : 'not recorded'}`,
          evidence: { amountYen: pi.amountYen, created: pi.created, sessionState: s?.state ?? null },
        });
      }
    }
    for (const [sessionId, pis] of bySession) {
      if (pis.length < 2) continue;
      add({
        kind: 'DOUBLE_CHARGE',
        subject: sessionId,
        sessionId,
        stationId: sessions.get(sessionId)?.stationId,
        detail: `${pis.length} succeeded PaymentIntents`,
        evidence: { intents: pis.map((p) => p.id).join(','), amountsYen: pis.map((p) => p.amountYen).join(',') },
      });
    }
  }

  function checkSession(s: Session): void {
    const ref = { subject: s.id, sessionId: s.id, stationId: s.stationId };
    if (s.state === 'PAID') {
      const pi = s.paymentIntentId ? intents.get(s.paymentIntentId) : undefined;
      if (pi?.status !== 'succeeded') {
        add({
          kind: 'PAID_WITHOUT_SUCCEEDED_PI',
          ...ref,
          paymentIntentId: s.paymentIntentId,
          detail: `PAID with ${s.paymentIntentId ?? 'no intent'} (${pi ? pi.status : 'not at the processor'})`,
          evidence: { paymentIntentId: s.paymentIntentId ?? null, intentStatus: pi?.status ?? null },
        });
      }
    }
    if (
      (s.state === 'METERED' || s.state === 'PAYMENT_PENDING') &&
      age(s.updatedAt) > input.timeouts.meteredNotChargedMs
    ) {
      add({
        kind: 'METERED_NOT_CHARGED',
        ...ref,
        detail: `${s.state} since ${s.updatedAt}`,
        evidence: { state: s.state, updatedAt: s.updatedAt, amountYen: s.amountYen ?? null },
      });
    }
    const station = stations.get(s.stationId);
    if (s.state === 'CHARGING' && station?.online === false && age(station.lastSeenAt) > input.timeouts.offlineCapMs) {
      add({
        kind: 'CHARGING_OFFLINE_PAST_CAP',
        ...ref,
        detail: `CHARGING; station offline since ${station.lastSeenAt ?? '(never seen)'}`,
        evidence: { lastSeenAt: station.lastSeenAt ?? null, startedAt: s.startedAt ?? null },
      });
    }
    if (s.startRegisterWh !== undefined && s.stopRegisterWh !== undefined && s.stopRegisterWh < s.startRegisterWh) {
      add({
        kind: 'METER_REGISTER_BACKWARDS',
        ...ref,
        subject: `session/${s.id}`,
        detail: `stop register ${s.stopRegisterWh} Wh below start ${s.startRegisterWh} Wh`,
        evidence: { startRegisterWh: s.startRegisterWh, stopRegisterWh: s.stopRegisterWh },
      });
    }
    const problems = amountProblems(s);
    if (problems.length > 0) add(amountMismatch(s, problems.join('; ')));
  }

  function amountProblems(s: Session): string[] {
    const out: string[] = [];
    if (s.amountYen !== undefined && s.energyWh !== undefined && s.endedAt !== undefined) {
      const tariffYen = priceYen(s.tariff, s.energyWh, durationMs(s.startedAt, s.endedAt));
      if (tariffYen !== s.amountYen) out.push(`amount ¥${s.amountYen}, tariff gives ¥${tariffYen}`);
    }
    if (s.chargeYen !== undefined && s.chargeYen > 0 && s.chargeYen !== (s.amountYen ?? 0) + (s.carriedInYen ?? 0)) {
      out.push(`charge ¥${s.chargeYen} ≠ amount ¥${s.amountYen ?? 0} + carried ¥${s.carriedInYen ?? 0}`);
    }
    const pi = s.paymentIntentId ? intents.get(s.paymentIntentId) : undefined;
    if (s.state === 'PAID' && pi?.status === 'succeeded' && pi.amountYen !== s.chargeYen) {
      out.push(`intent ${pi.id} charged ¥${pi.amountYen}, session records ¥${s.chargeYen ?? '?'}`);
    }
    return out;
  }

  function checkStation(st: Station): void {
    const active = st.activeSessionId ? sessions.get(st.activeSessionId) : undefined;
    const powered = active !== undefined && POWERED_STATES.includes(active.state);
    if (st.breaker === 'closed' && !powered) {
      // The episode: the session the station is (or was last) bound to, so a later one is a new anomaly.
      const episode = st.activeSessionId ?? latestSessionOn(st.id)?.id ?? 'none';
      add({
        kind: 'BREAKER_CLOSED_WITHOUT_SESSION',
        subject: `${st.id}/${episode}`,
        stationId: st.id,
        sessionId: st.activeSessionId,
        detail: st.activeSessionId
          ? `breaker closed; bound session ${st.activeSessionId} is ${active?.state ?? 'missing'}`
          : 'breaker closed; no session bound',
        evidence: { lastSeenAt: st.lastSeenAt ?? null, activeSessionId: st.activeSessionId ?? null },
      });
    }
    for (const o of st.observations ?? []) checkObservation(st, o);
  }

  function checkObservation(st: Station, o: StationObservation): void {
    const kind: AnomalyKind | undefined = BACKWARDS_CODES.includes(o.code)
      ? 'METER_REGISTER_BACKWARDS'
      : SERIAL_CODES.includes(o.code)
        ? 'METER_SERIAL_CHANGED'
        : undefined;
    if (!kind) return;
    add({
      kind,
      subject: `${st.id}@${o.at}`,
      stationId: st.id,
      sessionId: o.sessionId,
      detail: `${o.code} at ${o.at}${o.detail ? `: ${o.detail}` : ''}`,
      evidence: { code: o.code, at: o.at, registerWh: o.registerWh ?? null, previousWh: o.previousWh ?? null },
    });
  }

  function latestSessionOn(stationId: string): Session | undefined {
    let latest: Session | undefined;
    for (const s of input.sessions)
      if (s.stationId === stationId && (!latest || s.createdAt > latest.createdAt)) latest = s;
    return latest;
  }

  /** A session that starts below the register the previous one on the same station stopped at. */
  function checkRegistersAcrossSessions(): void {
    const byStation = new Map<string, Session[]>();
    for (const s of input.sessions) {
      if (s.startRegisterWh === undefined || !s.startedAt) continue;
      byStation.set(s.stationId, [...(byStation.get(s.stationId) ?? []), s]);
    }
    for (const list of byStation.values()) {
      list.sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? ''));
      let before: Session | undefined;
      for (const s of list) {
        const seen = before?.stopRegisterWh;
        if (before && seen !== undefined && (s.startRegisterWh ?? 0) < seen) {
          add({
            kind: 'METER_REGISTER_BACKWARDS',
            subject: `session/${s.id}`,
            sessionId: s.id,
            stationId: s.stationId,
            detail: `start register ${s.startRegisterWh} Wh below ${seen} Wh where session ${before.id} stopped`,
            evidence: {
              startRegisterWh: s.startRegisterWh ?? null,
              previousStopWh: seen,
              previousSessionId: before.id,
            },
          });
        }
        if (s.stopRegisterWh !== undefined) before = s;
      }
    }
  }
}

function amountMismatch(s: Session, detail: string): Omit<Anomaly, 'id'> {
  return {
    kind: 'AMOUNT_MISMATCH',
    subject: s.id,
    sessionId: s.id,
    stationId: s.stationId,
    paymentIntentId: s.paymentIntentId,
    detail,
    evidence: {
      energyWh: s.energyWh ?? null,
      amountYen: s.amountYen ?? null,
      carriedInYen: s.carriedInYen ?? null,
      chargeYen: s.chargeYen ?? null,
    },
  };
}
