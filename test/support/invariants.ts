/**
 * The end-of-test invariants every acceptance test on the running stack closes with: nothing lost,
 * nothing doubled, no session stuck, no breaker closed without an active session, and reconciliation
 * clean except the injected kinds the test expects it to catch.
 */
import { expect } from 'vitest';
import { SESSION_STATES, type Session, type SessionState } from '../../functions/src/domain/session.js';
import type { TestStack } from './test-stack.js';

/** States a session only passes through: one still here after settling is stuck. */
export const IN_FLIGHT_STATES: readonly SessionState[] = [
  'AWAITING_PAYMENT_METHOD',
  'ENERGIZING',
  'CHARGING',
  'STOPPING',
  'METERED',
  'PAYMENT_PENDING',
];
const LIST_LIMIT = 1_000;

export interface HealthFinding {
  kind: string;
  subject: string;
  detail: string;
}

export interface HealthReport {
  sessionsByState: Partial<Record<SessionState, number>>;
  /** Every anomaly reconciliation found (expected ones included). */
  anomalies: HealthFinding[];
  /** Succeeded PaymentIntents seen at the processor. */
  charges: number;
  /** Sessions still in flight after settling (ids), each also reported as SESSION_STUCK. */
  stuck: string[];
}

export interface HealthOptions {
  /** Anomaly kinds the test injected: each must be reported; no other kind may be. */
  expectedAnomalies?: string[];
  /** How long in-flight sessions get to finish (the sweeper keeps running meanwhile); default 20 s. */
  settleMs?: number;
  /** Sessions a test deliberately leaves in flight (not counted as stuck). */
  allowInFlight?: string[];
}

async function sessionsByState(t: TestStack): Promise<Map<SessionState, Session[]>> {
  const repo = t.stack.deps.ports.sessions;
  const lists = await Promise.all(SESSION_STATES.map(async (s) => [s, await repo.listByState(s, LIST_LIMIT)] as const));
  return new Map(lists);
}

async function settle(t: TestStack, settleMs: number, allowed: Set<string>): Promise<Map<SessionState, Session[]>> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const byState = await sessionsByState(t);
    const inFlight = IN_FLIGHT_STATES.flatMap((s) => byState.get(s) ?? []).filter((s) => !allowed.has(s.id));
    if (inFlight.length === 0 || Date.now() >= deadline) return byState;
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function expectHealthy(t: TestStack, opts: HealthOptions = {}): Promise<HealthReport> {
  const allowed = new Set(opts.allowInFlight ?? []);
  const byState = await settle(t, opts.settleMs ?? 20_000, allowed);
  const stuck = IN_FLIGHT_STATES.flatMap((s) => byState.get(s) ?? []).filter((s) => !allowed.has(s.id));
  // Reconciliation itself checks the rest: nothing charged unrecorded or twice, amounts, breakers, meters.
  const run = await t.stack.deps.reconcile();
  const found: HealthFinding[] = [
    ...stuck.map((s) => ({ kind: 'SESSION_STUCK', subject: s.id, detail: `still ${s.state}` })),
    ...run.anomalies.map((a) => ({ kind: a.kind, subject: a.subject, detail: a.detail })),
  ];
  const intents = await t.stack.deps.ports.payments.listPaymentIntents({ limit: 20_000 });
  const report: HealthReport = {
    sessionsByState: Object.fromEntries([...byState].filter(([, l]) => l.length > 0).map(([s, l]) => [s, l.length])),
    anomalies: found,
    charges: intents.filter((pi) => pi.status === 'succeeded').length,
    stuck: stuck.map((s) => s.id),
  };
  const expected = [...new Set(opts.expectedAnomalies ?? [])].sort();
  const kinds = [...new Set(found.map((f) => f.kind))];
  const unexpected = found.filter((f) => !expected.includes(f.kind));
  expect(unexpected, 'unexpected anomalies').toEqual([]);
  expect(
    expected.filter((k) => !kinds.includes(k)),
    'expected anomalies not reported',
  ).toEqual([]);
  return report;
}
