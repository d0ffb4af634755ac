/**
 * Applies the planned faults to the running stack through its own switches — the simulated stations'
 * ack faults and links (firmware-sim), the Stripe emulator's API and webhook faults — and records, for
 * each, the window in which it could have touched a session.
 */
import type { StationNode } from '../../../firmware-sim/src/station-node.js';
import type { FaultSwitches } from '../../../infra/local/stripe/index.js';
import type { FaultWindow, PlannedFault } from './fault-plan.js';

export interface FaultDriverOptions {
  nodes: readonly StationNode[];
  stripe: FaultSwitches;
  /** Stations a driver began a session on lately: station faults go where they can bite. */
  busyStations: () => string[];
  /** How long after a fault ends its consequences may still show (ack timeout, re-drive, sweep). */
  graceMs: number;
  /** Stripe's client gives up on a call after this long (a held answer must outlast it). */
  stripeClientTimeoutMs: number;
  log: (line: string) => void;
}

const PI_CREATE = { method: 'POST', path: /^\/v1\/payment_intents$/ };

export class FaultDriver {
  readonly windows: FaultWindow[] = [];
  readonly injected: Record<string, number> = {};
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly byId: Map<string, StationNode>;
  private webhookDuplicates = 0;
  private webhookDelays = 0;
  /** Stripe API faults armed and not yet consumed, with their windows still open. */
  private apiArmed: { window: FaultWindow; extraMs: number; left: number }[] = [];
  private poll: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: FaultDriverOptions) {
    this.byId = new Map(o.nodes.map((n) => [n.id, n]));
  }

  /** Schedules the plan from now (plan times are relative to this call). */
  start(plan: readonly PlannedFault[]): void {
    for (const f of plan) this.later(f.atMs, () => this.apply(f));
    // A Stripe fault's window closes once the emulator has used it up (polled: it keeps no log).
    this.poll = setInterval(() => this.closeConsumed(), 250);
  }

  /** No more faults; every switch back to normal (timed recoveries already scheduled still run). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.poll);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.o.stripe.reset();
    for (const n of this.o.nodes) n.station.ackFaults = {};
    const now = Date.now();
    for (const a of this.apiArmed) a.window.toMs = now + a.extraMs + this.o.graceMs;
    this.apiArmed = [];
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  private window(f: PlannedFault, toMs: number, stationId?: string): FaultWindow {
    const w: FaultWindow = {
      id: this.windows.length + 1,
      kind: f.kind,
      fromMs: Date.now(),
      toMs,
      ...(stationId ? { stationId } : {}),
    };
    this.windows.push(w);
    this.injected[f.kind] = (this.injected[f.kind] ?? 0) + 1;
    return w;
  }

  private targetNode(f: PlannedFault): StationNode | undefined {
    const busy = this.o.busyStations();
    const pool = busy.length > 0 ? busy : [...this.byId.keys()];
    const id = pool[Math.floor(f.pick * pool.length)];
    return id === undefined ? undefined : this.byId.get(id);
  }

  private apply(f: PlannedFault): void {
    const now = Date.now();
    const until = now + f.durationMs + this.o.graceMs;
    const s = this.o.stripe;
    switch (f.kind) {
      case 'ackDrop':
      case 'ackDuplicate': {
        const node = this.targetNode(f);
        if (!node) return;
        const key = f.kind === 'ackDrop' ? 'dropP' : 'duplicateP';
        node.station.ackFaults = { ...node.station.ackFaults, [key]: 1 };
        this.later(f.durationMs, () => {
          node.station.ackFaults = { ...node.station.ackFaults, [key]: 0 };
        });
        this.window(f, until, node.id);
        this.o.log(`fault ${f.kind} on ${node.id} for ${f.durationMs} ms`);
        return;
      }
      case 'stationOffline': {
        const node = this.targetNode(f);
        if (!node) return;
        node.goOffline(f.durationMs);
        this.window(f, until, node.id);
        this.o.log(`fault stationOffline: ${node.id} for ${f.durationMs} ms`);
        return;
      }
      case 'stripe5xx': {
        const mode = f.variant < 0.5 ? 'error-before' : 'error-after';
        const times = 1 + (Math.floor(f.variant * 6) % 3);
        s.failApi({ ...PI_CREATE, mode, times });
        this.apiArmed.push({ window: this.window(f, Number.POSITIVE_INFINITY), extraMs: 0, left: times });
        this.o.log(`fault stripe5xx: next ${times} PaymentIntent creation(s) ${mode}`);
        return;
      }
      case 'stripeTimeout': {
        const held = f.variant >= 0.5;
        const stallMs = this.o.stripeClientTimeoutMs + 1_000;
        s.failApi({ ...PI_CREATE, mode: held ? 'timeout-after' : 'drop-after', ...(held ? { stallMs } : {}) });
        this.apiArmed.push({ window: this.window(f, Number.POSITIVE_INFINITY), extraMs: held ? stallMs : 0, left: 1 });
        this.o.log(
          `fault stripeTimeout: next PaymentIntent creation ${held ? `answered after ${stallMs} ms` : 'dropped'}`,
        );
        return;
      }
      case 'webhookDuplicate':
        this.webhookDuplicates += 1;
        s.webhooks.duplicate = 1;
        this.later(f.durationMs, () => {
          this.webhookDuplicates -= 1;
          if (this.webhookDuplicates === 0) s.webhooks.duplicate = 0;
        });
        this.window(f, until);
        this.o.log(`fault webhookDuplicate for ${f.durationMs} ms`);
        return;
      case 'webhookDelay': {
        const delayMs = 2_000 + Math.round(f.variant * 3_000);
        this.webhookDelays += 1;
        s.webhooks.delayMs = Math.max(s.webhooks.delayMs, delayMs);
        this.later(f.durationMs, () => {
          this.webhookDelays -= 1;
          if (this.webhookDelays === 0) s.webhooks.delayMs = 0;
        });
        this.window(f, until + delayMs);
        this.o.log(`fault webhookDelay ${delayMs} ms for ${f.durationMs} ms`);
        return;
      }
    }
  }

  /** Armed Stripe faults are consumed in order: close the windows of those used up. */
  private closeConsumed(): void {
    const armed = this.apiArmed.reduce((n, a) => n + a.left, 0);
    let consumed = armed - this.o.stripe.apiFaultsPending();
    const now = Date.now();
    while (consumed > 0) {
      const a = this.apiArmed[0];
      if (!a) break;
      const used = Math.min(a.left, consumed);
      a.left -= used;
      consumed -= used;
      // Open until the last call it failed, plus what that call's retry or re-drive may take.
      a.window.toMs = now + a.extraMs + this.o.graceMs;
      if (a.left === 0) this.apiArmed.shift();
    }
  }
}
