import { FaultInjector, type FaultRule } from './faults.js';
import type { MeterOptions } from './meter.js';
import type { StationAuth } from './mqtt-station-link.js';
import { hashSeed, seededRng } from './rng.js';
import { arrivingEv, StationNode } from './station-node.js';
import type { StationSpec } from './station-spec.js';
import { TimerWheel } from './timer-wheel.js';

export interface FleetOptions {
  ids: readonly string[];
  /** Assigned round-robin. */
  specs: readonly StationSpec[];
  url: string;
  authFor(stationId: string): StationAuth;
  reportMs?: { charging?: number; idle?: number };
  offlineCap?: { maxWh?: number; maxSec?: number };
  meter?: MeterOptions;
  /** A station's meter register at power-on (a real meter keeps it across reboots and backend crashes). */
  startRegisterWh?: (stationId: string) => number | undefined;
  faults?: readonly FaultRule[];
  seed?: number;
  /** New connections per second while starting (a thundering herd of CONNECTs stalls the broker). */
  connectRatePerSec?: number;
  /** Stop starting new stations while this many are still connecting. */
  maxPendingConnects?: number;
  keepaliveSec?: number;
  reconnectMs?: number;
}

export interface FleetStats {
  stations: number;
  online: number;
  charging: number;
  reports: number;
  commands: number;
  duplicates: number;
  ignoredExpired: number;
  ignoredInvalid: number;
  acksDropped: number;
  buffered: number;
  replayed: number;
  connects: number;
  disconnects: number;
  faults: Partial<Record<string, number>>;
}

const START_TICK_MS = 20;
const EV_SWEEP_MS = 30_000;

/**
 * Many stations in one process: one shared timer (TimerWheel) drives every station's reports,
 * connects are staggered, and report phases are spread over the period so the broker sees a
 * steady stream instead of a pulse every second.
 */
export class Fleet {
  readonly wheel = new TimerWheel();
  readonly nodes: StationNode[];
  private readonly injector: FaultInjector;
  private readonly rng;
  private stopped = false;

  constructor(private readonly o: FleetOptions) {
    if (o.specs.length === 0) throw new Error('fleet: at least one station model');
    this.rng = seededRng(o.seed ?? 1);
    const period = Math.min(o.reportMs?.charging ?? 5_000, o.reportMs?.idle ?? 60_000);
    this.nodes = o.ids.map((id, i) => {
      const spec = o.specs[i % o.specs.length]!;
      const node = new StationNode({
        scheduler: this.wheel,
        spec,
        rng: seededRng(hashSeed(id) ^ (o.seed ?? 1)),
        ...(o.reportMs ? { reportMs: o.reportMs } : {}),
        ...(o.offlineCap ? { offlineCap: o.offlineCap } : {}),
        ...(o.meter || o.startRegisterWh?.(id) !== undefined
          ? { meter: { ...o.meter, startWh: o.startRegisterWh?.(id) ?? o.meter?.startWh } }
          : {}),
        phaseMs: Math.floor(this.rng.next() * period),
        link: {
          stationId: id,
          url: o.url,
          auth: o.authFor(id),
          ...(o.keepaliveSec ? { keepaliveSec: o.keepaliveSec } : {}),
          // Jitter keeps a broker restart from turning into a synchronized reconnect storm.
          reconnectMs: (o.reconnectMs ?? 2_000) + Math.floor(this.rng.next() * 1_000),
        },
      });
      node.station.plugEv(arrivingEv(this.rng));
      return node;
    });
    this.injector = new FaultInjector(o.faults ?? [], this.nodes, this.wheel, this.rng);
  }

  /** Starts every station, staggered; resolves once all are online or `timeoutMs` passed. */
  async start(timeoutMs = 120_000): Promise<{ online: number; ms: number }> {
    const t0 = Date.now();
    const rate = this.o.connectRatePerSec ?? 500;
    const maxPending = this.o.maxPendingConnects ?? 500;
    const perTick = Math.max(1, Math.round((rate * START_TICK_MS) / 1000));
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        if (this.stopped || Date.now() - t0 > timeoutMs) return resolve();
        const pending = next - this.online();
        for (let k = 0; k < perTick && next < this.nodes.length && pending + k < maxPending; k++) {
          this.nodes[next++]?.start();
        }
        if (next >= this.nodes.length && this.online() >= this.nodes.length) return resolve();
        this.wheel.at(Date.now() + START_TICK_MS, tick);
      };
      tick();
    });
    this.injector.start();
    this.sweepEvs();
    return { online: this.online(), ms: Date.now() - t0 };
  }

  online(): number {
    let n = 0;
    for (const node of this.nodes) if (node.link.isOnline()) n++;
    return n;
  }

  stats(): FleetStats {
    const s: FleetStats = {
      stations: this.nodes.length,
      online: 0,
      charging: 0,
      reports: 0,
      commands: 0,
      duplicates: 0,
      ignoredExpired: 0,
      ignoredInvalid: 0,
      acksDropped: 0,
      buffered: 0,
      replayed: 0,
      connects: 0,
      disconnects: 0,
      faults: { ...this.injector.injected },
    };
    for (const { station: st, link } of this.nodes) {
      if (link.isOnline()) s.online++;
      if (st.sessionId) s.charging++;
      s.reports += st.counters.reports;
      s.commands += st.counters.commands;
      s.duplicates += st.counters.duplicates;
      s.ignoredExpired += st.counters.ignoredExpired;
      s.ignoredInvalid += st.counters.ignoredInvalid;
      s.acksDropped += st.counters.acksDropped;
      s.buffered += st.buffered;
      s.replayed += st.counters.replayed;
      s.connects += link.counters.connects;
      s.disconnects += link.counters.disconnects;
    }
    return s;
  }

  /** Drivers come and go: an idle station whose EV is full or gone gets a new one. */
  private sweepEvs(): void {
    if (this.stopped) return;
    for (const { station } of this.nodes) {
      if (station.powered && !station.sessionId && (!station.cp.ev || station.cp.ev.full))
        station.plugEv(arrivingEv(this.rng));
    }
    this.wheel.at(Date.now() + EV_SWEEP_MS, () => this.sweepEvs());
  }

  /** Stops every station; `graceful` disconnects cleanly so no Last Will fires. */
  async stop(graceful = true): Promise<void> {
    this.stopped = true;
    this.injector.stop();
    this.wheel.stop();
    const batch = 500;
    for (let i = 0; i < this.nodes.length; i += batch) {
      await Promise.all(this.nodes.slice(i, i + batch).map((n) => n.stop(graceful)));
    }
  }
}
