import { type Anomaly, detectAnomalies, type IntentRecord } from '../domain/reconciliation.js';
import { SESSION_STATES, type Session } from '../domain/session.js';
import type { AnomalyRepository } from '../ports/anomaly-repository.port.js';
import type { UseCaseDeps } from './deps.js';

export interface ReconcileReport {
  checkedSessions: number;
  checkedPaymentIntents: number;
  /** Everything found this run (already recorded ones included). */
  anomalies: Anomaly[];
  /** Found for the first time this run: recorded and alerted. */
  newAnomalies: Anomaly[];
}

export interface ReconcileOptions {
  /** PaymentIntents created in this window are listed (older ones are read one by one when a session names them). */
  lookbackMs: number;
  /** Sessions read per state (the store's own bound). */
  sessionsPerState: number;
  /** PaymentIntents listed per run. */
  maxPaymentIntents: number;
  /** Individual reads (sessions, intents) per run beyond the lists. */
  maxLookups: number;
  /** See ReconciliationTimeouts; defaults derive from the use-case config. */
  meteredNotChargedMs?: number;
  offlineCapMs?: number;
}

export const DEFAULT_RECONCILE_OPTIONS: ReconcileOptions = {
  lookbackMs: 7 * 24 * 3_600_000,
  sessionsPerState: 1_000,
  maxPaymentIntents: 20_000,
  maxLookups: 500,
};

export type ReconcileDeps = Pick<UseCaseDeps, 'sessions' | 'stations' | 'payments' | 'clock' | 'alerts' | 'config'> & {
  anomalies: AnomalyRepository;
};

export type Reconcile = () => Promise<ReconcileReport>;

/**
 * Reads what we recorded and what the processor holds, runs the detector, records what is new and
 * alerts a person for each new anomaly. Nothing is repaired here: money questions go to a person.
 */
export function makeReconcile(deps: ReconcileDeps, options: Partial<ReconcileOptions> = {}): Reconcile {
  const opts = { ...DEFAULT_RECONCILE_OPTIONS, ...options };
  const cfg = deps.config;
  // The sweeper re-drives after paymentRedriveAfterMs: give it a few goes before calling it stuck.
  const meteredNotChargedMs = opts.meteredNotChargedMs ?? Math.max(5 * cfg.paymentRedriveAfterMs, 10 * 60_000);
  // The station stops by itself at its offline cap; past that (plus a margin) it should have ended.
  const offlineCapMs = opts.offlineCapMs ?? (cfg.offlineMaxSec ?? 3_600) * 1000 + 5 * 60_000;

  return async () => {
    const now = deps.clock.now();
    const lists = await Promise.all(SESSION_STATES.map((s) => deps.sessions.listByState(s, opts.sessionsPerState)));
    const sessions = new Map<string, Session>();
    for (const s of lists.flat()) sessions.set(s.id, s);
    const listed = await deps.payments.listPaymentIntents({
      createdAfter: new Date(now.getTime() - opts.lookbackMs).toISOString(),
      limit: opts.maxPaymentIntents,
    });
    const intents = new Map<string, IntentRecord>(listed.map((pi) => [pi.id, pi]));
    let lookups = opts.maxLookups;

    // A charge naming a session we did not list: read it (it may be past the per-state bound).
    const unknownSessions = [
      ...new Set(listed.flatMap((pi) => (pi.sessionId && !sessions.has(pi.sessionId) ? [pi.sessionId] : []))),
    ].slice(0, lookups);
    lookups -= unknownSessions.length;
    for (const s of await Promise.all(unknownSessions.map((id) => deps.sessions.get(id)))) {
      if (s) sessions.set(s.id, s);
    }
    // A paid session whose intent is older than the window: read that intent.
    const unknownIntents = [...sessions.values()]
      .flatMap((s) =>
        s.state === 'PAID' && s.paymentIntentId && !intents.has(s.paymentIntentId) ? [s.paymentIntentId] : [],
      )
      .slice(0, Math.max(0, lookups));
    for (const pi of await Promise.all(unknownIntents.map((id) => deps.payments.retrievePaymentIntent(id)))) {
      if (pi) intents.set(pi.id, pi);
    }

    const anomalies = detectAnomalies({
      sessions: [...sessions.values()],
      paymentIntents: [...intents.values()],
      stations: await deps.stations.list(),
      now: now.toISOString(),
      timeouts: { meteredNotChargedMs, offlineCapMs },
    });
    const foundAt = now.toISOString();
    const newAnomalies: Anomaly[] = [];
    for (const a of anomalies) {
      if (!(await deps.anomalies.record(a, foundAt))) continue;
      newAnomalies.push(a);
      await deps.alerts.raise({
        code: `ANOMALY_${a.kind}`,
        sessionId: a.sessionId,
        stationId: a.stationId,
        detail: `${a.id}: ${a.detail}`,
      });
    }
    return { checkedSessions: sessions.size, checkedPaymentIntents: intents.size, anomalies, newAnomalies };
  };
}
