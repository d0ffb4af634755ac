/**
 * After the soak has settled: reconciliation runs over the store, the processor and the stations, every
 * session the drivers started is checked as the driver lived it, and the simulated stations' breakers
 * are compared with the store; every deviation becomes an anomaly for fault-plan.ts's classify. `lostOrDoubled` counts only money errors: a session charged twice or
 * never charged for energy delivered, a charge no PAID session records, a PAID session without one.
 */

import type { StationNode } from '../../../firmware-sim/src/station-node.js';
import { MemoryAnomalyRepository } from '../../../functions/src/adapters/memory/memory-anomaly-repository.js';
import type { Session, SessionState } from '../../../functions/src/domain/session.js';
import { SESSION_STATES } from '../../../functions/src/domain/session.js';
import { TERMINAL_STATES } from '../../../functions/src/domain/session-machine.js';
import type { Alert } from '../../../functions/src/ports/alerts.port.js';
import type { UseCaseDeps } from '../../../functions/src/use-cases/deps.js';
import { makeReconcile } from '../../../functions/src/use-cases/reconcile.js';
import type { Anomaly } from './fault-plan.js';
import type { SoakRun } from './soak-drivers.js';

/** States a session only passes through; one still there after settling is stuck. */
export const IN_FLIGHT: readonly SessionState[] = SESSION_STATES.filter(
  (s) => !TERMINAL_STATES.includes(s) && s !== 'PAYMENT_ACTION_REQUIRED' && s !== 'PAYMENT_FAILED',
);

/** Kinds that are money errors (lostOrDoubled). */
export const MONEY_KINDS = new Set([
  'DOUBLE_CHARGE',
  'CHARGED_NOT_RECORDED',
  'PAID_WITHOUT_SUCCEEDED_PI',
  'METERED_NOT_CHARGED',
  'AMOUNT_MISMATCH',
  'PAID_TWICE_IN_LEDGER',
  'ENERGY_NOT_CHARGED',
]);

type Ports = Pick<UseCaseDeps, 'sessions' | 'payments' | 'stations' | 'clock' | 'config'>;

export async function inFlightSessions(ports: Pick<UseCaseDeps, 'sessions'>): Promise<Session[]> {
  const lists = await Promise.all(IN_FLIGHT.map((s) => ports.sessions.listByState(s, 1_000)));
  return lists.flat();
}

/** Waits until no session is in flight (the sweeper keeps re-driving meanwhile) or the deadline. */
export async function settle(ports: Pick<UseCaseDeps, 'sessions'>, timeoutMs: number): Promise<Session[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await inFlightSessions(ports);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

export interface SoakAudit {
  anomalies: Anomaly[];
  byState: Record<string, number>;
  paid: number;
  succeededIntents: number;
  lostOrDoubled: number;
}

export async function auditSoak(
  ports: Ports,
  nodes: readonly StationNode[],
  runs: readonly SoakRun[],
  /** Alerts the backend raised during the run: each is something a person would be asked to look at. */
  alerts: readonly Alert[] = [],
): Promise<SoakAudit> {
  const anomalies: Anomaly[] = [];
  const add = (a: Anomaly): void => {
    anomalies.push(a);
  };
  const sessions = new Map<string, Session>();
  const byState: Record<string, number> = {};
  for (const run of runs) {
    const r = run.result;
    if (!r.sessionId) {
      add({ kind: 'START_REFUSED', subject: run.stationId, stationId: run.stationId, detail: r.error ?? 'no session' });
      continue;
    }
    const [s, ledger] = await Promise.all([ports.sessions.get(r.sessionId), ports.sessions.ledger(r.sessionId)]);
    const ids = { sessionId: r.sessionId, stationId: run.stationId };
    if (!s) {
      add({ kind: 'SESSION_MISSING', subject: r.sessionId, ...ids, detail: r.error ?? '' });
      continue;
    }
    sessions.set(s.id, s);
    byState[s.state] = (byState[s.state] ?? 0) + 1;
    const paidEntries = ledger.filter((e) => e.to === 'PAID').length;
    if (IN_FLIGHT.includes(s.state)) add({ kind: 'SESSION_STUCK', subject: s.id, ...ids, detail: `still ${s.state}` });
    if (paidEntries > 1)
      add({ kind: 'PAID_TWICE_IN_LEDGER', subject: s.id, ...ids, detail: `${paidEntries} PAID entries` });
    // Energy reached the car (the driver saw CHARGING) yet it did not end paid: lost money.
    if (r.energizeMs !== undefined && s.state !== 'PAID' && !IN_FLIGHT.includes(s.state)) {
      add({ kind: 'ENERGY_NOT_CHARGED', subject: s.id, ...ids, detail: `ended ${s.state}` });
    }
    if (r.error) {
      add({ kind: 'DRIVER_SAW_FAILURE', subject: s.id, ...ids, detail: `${r.error} (now ${s.state})` });
    } else if (r.paidSeen !== 1) {
      add({ kind: 'PAID_SEEN_TIMES', subject: s.id, ...ids, detail: `subscriber saw PAID ${r.paidSeen}×` });
    }
  }

  // Reconciliation (functions/src/use-cases/reconcile.ts) makes the processor-vs-store checks; its
  // records go to a throw-away repository and its alerts nowhere: this run only reads its findings.
  const reconcile = makeReconcile(
    { ...ports, anomalies: new MemoryAnomalyRepository(), alerts: { raise: async () => undefined } },
    // After settling, a session still waiting to be charged is already late.
    { meteredNotChargedMs: 60_000 },
  );
  const report = await reconcile();
  for (const a of report.anomalies) {
    add({
      kind: a.kind,
      subject: a.subject,
      detail: a.detail,
      ...(a.sessionId ? { sessionId: a.sessionId } : {}),
      ...(a.stationId ? { stationId: a.stationId } : {}),
    });
  }
  const intents = (await ports.payments.listPaymentIntents({ limit: 1_000_000 })).filter(
    (pi) => pi.status === 'succeeded',
  );

  for (const a of alerts) {
    add({
      kind: `ALERT_${a.code}`,
      subject: a.sessionId ?? a.stationId ?? '-',
      detail: a.detail,
      ...(a.sessionId ? { sessionId: a.sessionId } : {}),
      ...(a.stationId ? { stationId: a.stationId } : {}),
    });
  }

  // Breakers as the hardware has them (the simulator knows the truth; reconciliation checked the store's view).
  const stations = await ports.stations.list();
  const stationById = new Map(stations.map((s) => [s.id, s]));
  for (const n of nodes) {
    const bound = stationById.get(n.id)?.activeSessionId;
    if (n.station.cp.breaker === 'closed' && !bound) {
      add({
        kind: 'HARDWARE_BREAKER_CLOSED',
        subject: n.id,
        stationId: n.id,
        detail: `closed on the station (its session ${n.station.sessionId ?? 'none'}), no active session in the store`,
      });
    }
  }
  return {
    anomalies,
    byState,
    paid: byState.PAID ?? 0,
    succeededIntents: intents.length,
    lostOrDoubled: anomalies.filter((a) => MONEY_KINDS.has(a.kind)).length,
  };
}
