/**
 * The soak's fault schedule and the bookkeeping that tells an injected anomaly from an unexplained one.
 * Pure: the plan is a function of the seed, so a run can be repeated fault for fault.
 */
import { exponentialMs, seededRng } from '../../../firmware-sim/src/rng.js';

export const SOAK_FAULT_KINDS = [
  /** The station drops every ack for a while (its breaker still moves). */
  'ackDrop',
  /** The station sends every ack twice for a while. */
  'ackDuplicate',
  /** The station loses its connection abruptly and reconnects after a while. */
  'stationOffline',
  /** Stripe answers 500 to the next 1–3 PaymentIntent creations (before or after executing them). */
  'stripe5xx',
  /** The next PaymentIntent creation executes but its answer never comes (connection dropped or held). */
  'stripeTimeout',
  /** Every webhook is delivered twice for a while. */
  'webhookDuplicate',
  /** Every webhook is delivered late for a while. */
  'webhookDelay',
] as const;
export type SoakFaultKind = (typeof SOAK_FAULT_KINDS)[number];

/** Faults that act on one station; the others act on the processor for everyone. */
export const STATION_FAULTS: readonly SoakFaultKind[] = ['ackDrop', 'ackDuplicate', 'stationOffline'];

export const DEFAULT_FAULT_DURATION_MS: Record<SoakFaultKind, number> = {
  ackDrop: 8_000,
  ackDuplicate: 15_000,
  stationOffline: 6_000,
  stripe5xx: 0,
  stripeTimeout: 0,
  webhookDuplicate: 15_000,
  webhookDelay: 15_000,
};

export interface PlannedFault {
  /** Since the start of the measured loop. */
  atMs: number;
  kind: SoakFaultKind;
  durationMs: number;
  /** Uniform [0, 1): chooses the target among the stations busy at that moment (decided when applied). */
  pick: number;
  /** Uniform [0, 1): chooses the variant (e.g. 500 before or after executing). */
  variant: number;
}

export interface FaultPlanOptions {
  seed: number;
  durationMs: number;
  /** Mean faults per minute (a Poisson process); 0 = none. */
  perMinute: number;
  kinds?: readonly SoakFaultKind[];
}

export function planFaults(o: FaultPlanOptions): PlannedFault[] {
  const kinds = o.kinds ?? SOAK_FAULT_KINDS;
  if (o.perMinute <= 0 || kinds.length === 0) return [];
  const rng = seededRng(o.seed);
  const perMs = o.perMinute / 60_000;
  const plan: PlannedFault[] = [];
  // Bounded: at most one fault per 10 ms of run, whatever the rate.
  const max = Math.ceil(o.durationMs / 10);
  for (let at = exponentialMs(rng, perMs); at < o.durationMs && plan.length < max; at += exponentialMs(rng, perMs)) {
    const kind = kinds[Math.floor(rng.next() * kinds.length)] ?? kinds[0];
    if (!kind) break;
    plan.push({
      atMs: Math.round(at),
      kind,
      durationMs: DEFAULT_FAULT_DURATION_MS[kind],
      pick: rng.next(),
      variant: rng.next(),
    });
  }
  return plan;
}

export function countByKind(kinds: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of kinds) out[k] = (out[k] ?? 0) + 1;
  return out;
}

/** When a fault could have touched a session (epoch ms, consequences included). */
export interface FaultWindow {
  id: number;
  kind: SoakFaultKind;
  fromMs: number;
  toMs: number;
  /** Station faults: the one station; absent = every session's payment phase. */
  stationId?: string;
}

/** One driver session as timed by the driver (epoch ms). */
export interface SessionSpan {
  sessionId: string;
  stationId: string;
  fromMs: number;
  /** When the driver asked to stop (absent: it never got that far). */
  stopMs?: number;
  toMs: number;
}

const overlaps = (a0: number, a1: number, b0: number, b1: number): boolean => a0 <= b1 && b0 <= a1;

/**
 * The faults that could explain something odd about a session: its station's faults over the whole
 * session; processor and webhook faults only from the stop on (they act on the payment).
 */
export function exposuresOf(span: SessionSpan, windows: readonly FaultWindow[]): FaultWindow[] {
  return windows.filter((w) => {
    if (w.stationId !== undefined)
      return w.stationId === span.stationId && overlaps(span.fromMs, span.toMs, w.fromMs, w.toMs);
    return span.stopMs !== undefined && overlaps(span.stopMs, span.toMs, w.fromMs, w.toMs);
  });
}

export interface Anomaly {
  kind: string;
  subject: string;
  detail: string;
  sessionId?: string;
  stationId?: string;
}

export interface Classified {
  injected: (Anomaly & { faults: string[] })[];
  unexplained: Anomaly[];
}

/**
 * An anomaly is injected when the session (or station) it is about was exposed to a fault; any other is
 * unexplained — the figure the soak must keep at zero.
 */
export function classify(
  anomalies: readonly Anomaly[],
  spans: ReadonlyMap<string, SessionSpan>,
  windows: readonly FaultWindow[],
): Classified {
  const out: Classified = { injected: [], unexplained: [] };
  for (const a of anomalies) {
    const span = a.sessionId ? spans.get(a.sessionId) : undefined;
    const hits = span
      ? exposuresOf(span, windows)
      : a.stationId
        ? windows.filter((w) => w.stationId === a.stationId)
        : [];
    if (hits.length > 0) out.injected.push({ ...a, faults: hits.map((w) => `${w.kind}#${w.id}`) });
    else out.unexplained.push(a);
  }
  return out;
}
