import { z } from 'zod';
import { exponentialMs, type Rng } from './rng.js';
import type { Scheduler } from './scheduler.js';
import type { AckFaults } from './station.js';
import { arrivingEv, type StationNode } from './station-node.js';

/**
 * Fault plans for a fleet, from the CLI's `--faults` string. Items are comma-separated:
 *   kind:RATE            random: per ack (ack*), share of stations (failToClose, welded) or events per station-hour
 *   kind@STATION[+T]     once, on one station, T after start (default 0)
 *   …~D                  how long it lasts (offline, partition, takeover, powerLoss, unplug, ackDelay, breaker faults)
 * e.g. `ackDrop:0.05,offline:2~30s,powerLoss@SIM-00007+20s~5s,welded@SIM-00003`.
 */
export const ACK_FAULTS = ['ackDrop', 'ackDuplicate', 'ackDelay'] as const;
export const BREAKER_FAULTS = ['failToClose', 'welded'] as const;
export const EVENT_FAULTS = [
  'offline',
  'partition',
  'takeover',
  'powerLoss',
  'trip',
  'unplug',
  'meterReset',
  'meterRollover',
  'meterBackwards',
  'meterSwap',
] as const;
export const FaultKind = z.enum([...ACK_FAULTS, ...BREAKER_FAULTS, ...EVENT_FAULTS]);
export type FaultKind = z.infer<typeof FaultKind>;

export type FaultRule =
  | { kind: FaultKind; rate: number; durationMs?: number }
  | { kind: FaultKind; stationId: string; afterMs: number; durationMs?: number };

const DEFAULT_DURATION_MS: Partial<Record<FaultKind, number>> = {
  offline: 30_000,
  partition: 90_000,
  takeover: 10_000,
  powerLoss: 5_000,
  unplug: 60_000,
  ackDelay: 2_000,
};

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`bad duration "${text}" (e.g. 500ms, 30s, 2m)`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] ?? 1_000;
  return Math.round(Number(m[1]) * unit);
}

const ITEM =
  /^([A-Za-z]+)(?::([\d.]+)|@([A-Za-z0-9][A-Za-z0-9_-]*)(?:\+([\d.]+(?:ms|s|m|h)?))?)(?:~([\d.]+(?:ms|s|m|h)?))?$/;

export function parseFaults(spec: string | undefined): FaultRule[] {
  if (!spec?.trim()) return [];
  return spec.split(',').map((raw) => {
    const item = raw.trim();
    const m = ITEM.exec(item);
    if (!m) throw new Error(`bad fault "${item}": kind:RATE or kind@STATION[+T], then optional ~DURATION`);
    const kind = FaultKind.parse(m[1]);
    const durationMs = m[5] ? parseDuration(m[5]) : DEFAULT_DURATION_MS[kind];
    const extra = durationMs === undefined ? {} : { durationMs };
    if (m[2] !== undefined) {
      const rate = Number(m[2]);
      const isShare =
        (ACK_FAULTS as readonly string[]).includes(kind) || (BREAKER_FAULTS as readonly string[]).includes(kind);
      if (!Number.isFinite(rate) || rate < 0 || (isShare && rate > 1)) throw new Error(`bad rate in "${item}"`);
      return { kind, rate, ...extra };
    }
    return { kind, stationId: m[3] ?? '', afterMs: m[4] ? parseDuration(m[4]) : 0, ...extra };
  });
}

/** Applies one fault to one station now. */
export function applyFault(node: StationNode, kind: FaultKind, sched: Scheduler, rng: Rng, durationMs?: number): void {
  const s = node.station;
  const later = (fn: () => void): void => {
    if (durationMs !== undefined) sched.at(sched.now() + durationMs, fn);
  };
  const setAck = (patch: AckFaults): void => {
    s.ackFaults = { ...s.ackFaults, ...patch };
  };
  const actions: Record<FaultKind, () => void> = {
    ackDrop: () => {
      setAck({ dropP: 1 });
      later(() => setAck({ dropP: 0 }));
    },
    ackDuplicate: () => setAck({ duplicateP: 1 }),
    ackDelay: () => setAck({ delayP: 1, delayMs: durationMs ?? 2_000 }),
    failToClose: () => {
      s.setBreakerFault('failToClose');
      later(() => s.setBreakerFault('none'));
    },
    welded: () => {
      s.setBreakerFault('welded');
      later(() => s.setBreakerFault('none'));
    },
    offline: () => node.goOffline(durationMs ?? 30_000),
    partition: () => node.partition(durationMs ?? 90_000),
    takeover: () => node.takeover(durationMs ?? 10_000),
    powerLoss: () => node.powerLoss(durationMs ?? 5_000),
    trip: () => s.trip(),
    unplug: () => {
      s.unplugEv();
      later(() => {
        if (s.powered && !s.cp.ev) s.plugEv(arrivingEv(rng));
      });
    },
    meterReset: () => s.meterFault('reset'),
    meterRollover: () => s.meterFault('rollover'),
    meterBackwards: () => s.meterFault('backwards', 100),
    meterSwap: () => s.meterFault('swap'),
  };
  actions[kind]();
}

/** Runs a fault plan over a fleet: per-station faults at their time, random ones as Poisson processes. */
export class FaultInjector {
  readonly injected: Partial<Record<FaultKind, number>> = {};
  private stopped = false;

  constructor(
    private readonly rules: readonly FaultRule[],
    private readonly nodes: readonly StationNode[],
    private readonly sched: Scheduler,
    private readonly rng: Rng,
  ) {}

  start(): void {
    const byId = new Map(this.nodes.map((n) => [n.id, n]));
    for (const r of this.rules) {
      if ('stationId' in r) {
        const node = byId.get(r.stationId);
        if (!node) throw new Error(`fault ${r.kind}@${r.stationId}: no such station in this fleet`);
        this.sched.at(this.sched.now() + r.afterMs, () => this.hit(node, r.kind, r.durationMs));
      } else if ((ACK_FAULTS as readonly string[]).includes(r.kind)) {
        for (const n of this.nodes) this.ackRate(n, r.kind, r.rate, r.durationMs);
      } else if ((BREAKER_FAULTS as readonly string[]).includes(r.kind)) {
        for (const n of this.nodes) if (this.rng.next() < r.rate) this.hit(n, r.kind, r.durationMs);
      } else if (r.rate > 0 && this.nodes.length > 0) {
        this.poisson(r.kind, (this.nodes.length * r.rate) / 3_600_000, r.durationMs);
      }
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private ackRate(n: StationNode, kind: FaultKind, p: number, durationMs?: number): void {
    const f = n.station.ackFaults;
    if (kind === 'ackDrop') n.station.ackFaults = { ...f, dropP: p };
    if (kind === 'ackDuplicate') n.station.ackFaults = { ...f, duplicateP: p };
    if (kind === 'ackDelay') n.station.ackFaults = { ...f, delayP: p, delayMs: durationMs ?? 2_000 };
  }

  private poisson(kind: FaultKind, perMs: number, durationMs?: number): void {
    const next = () => {
      if (this.stopped) return;
      const node = this.nodes[Math.floor(this.rng.next() * this.nodes.length)];
      if (node) this.hit(node, kind, durationMs);
      this.sched.at(this.sched.now() + exponentialMs(this.rng, perMs), next);
    };
    this.sched.at(this.sched.now() + exponentialMs(this.rng, perMs), next);
  }

  private hit(node: StationNode, kind: FaultKind, durationMs?: number): void {
    if (this.stopped) return;
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    applyFault(node, kind, this.sched, this.rng, durationMs);
  }
}
