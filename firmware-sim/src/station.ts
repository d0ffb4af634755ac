import {
  type Ack,
  Command,
  type CommandLimits,
  PROTOCOL_VERSION,
  type SessionEndFacts,
  type SessionEndReason,
} from '../../contracts/station-protocol.js';
import { BoundedMap } from './bounded-map.js';
import { type BreakerFault, ChargePoint } from './charge-point.js';
import { type CommandContext, decideClose, decideOpen, isLive } from './command-rules.js';
import type { EvBattery } from './ev-battery.js';
import { Meter, type MeterOptions } from './meter.js';
import type { Outgoing } from './outbox.js';
import { hashSeed, type Rng, seededRng } from './rng.js';
import type { Scheduler } from './scheduler.js';
import type { StationLink } from './station-link.js';
import {
  type ActiveSession,
  type FaultCode,
  faultMessage,
  iso,
  meterMessage,
  sessionCaps,
  sessionEndMessage,
  stateMessage,
} from './station-messages.js';
import type { StationSpec } from './station-spec.js';
import { type AckFaults, Uplink } from './uplink.js';

export type { AckFaults };

export interface StationOptions {
  id: string;
  spec: StationSpec;
  scheduler: Scheduler;
  link: StationLink;
  rng?: Rng;
  meter?: MeterOptions;
  /** Meter report period while a session is active / idle (defaults 5 s / 60 s). */
  reportMs?: { charging?: number; idle?: number };
  /** Offline limits used when a command carries none. */
  offlineCap?: { maxWh?: number; maxSec?: number };
  replayPerSec?: number;
  bufferMax?: number;
  ackFaults?: AckFaults;
  /** Delay of the first report after boot, to spread a fleet's reports over the period. */
  phaseMs?: number;
}

export interface StationCounters {
  commands: number;
  ignoredInvalid: number;
  ignoredExpired: number;
  duplicates: number;
  acksDropped: number;
  reports: number;
  replayed: number;
}

/**
 * One simulated station's firmware: command rules, sessions with their caps, meter reports with a
 * per-station `seq`, and the offline outbox. Everything it knows survives a power loss (it models
 * non-volatile memory), which is how a reboot mid-session ends that session with `powerLoss`.
 */
export class Station {
  readonly id: string;
  readonly cp: ChargePoint;
  readonly counters: StationCounters = {
    commands: 0,
    ignoredInvalid: 0,
    ignoredExpired: 0,
    duplicates: 0,
    acksDropped: 0,
    reports: 0,
    replayed: 0,
  };
  private readonly sched: Scheduler;
  private readonly rng: Rng;
  private readonly acks = new BoundedMap<string, Ack>(256);
  /** Sessions this station ended, with how: an open command arriving later is answered with that end. */
  private readonly ended = new BoundedMap<string, SessionEndFacts>(256);
  private readonly up: Uplink;
  private readonly reportMs: { charging: number; idle: number };
  private readonly offlineDefaults: { maxWh: number; maxSec: number };
  private session: ActiveSession | null = null;
  private seq = 0;
  private offline: { sinceMs: number; deliveredWh: number } | null = null;
  private powerLostAtMs: number | null = null;
  private lastPilot: ReturnType<ChargePoint['pilot']> = null;
  private cancelReport: (() => void) | undefined;
  private deferred: Outgoing[] = [];
  private readonly phaseMs: number;

  constructor(o: StationOptions) {
    this.id = o.id;
    this.sched = o.scheduler;
    this.rng = o.rng ?? seededRng(hashSeed(o.id));
    this.cp = new ChargePoint(o.spec, new Meter(this.rng, o.meter), o.scheduler.now());
    this.up = new Uplink(o.link, o.scheduler, this.rng, this.counters, {
      ...(o.bufferMax !== undefined ? { bufferMax: o.bufferMax } : {}),
      ...(o.replayPerSec !== undefined ? { replayPerSec: o.replayPerSec } : {}),
    });
    this.up.ackFaults = o.ackFaults ?? {};
    this.reportMs = { charging: o.reportMs?.charging ?? 5_000, idle: o.reportMs?.idle ?? 60_000 };
    this.offlineDefaults = { maxWh: o.offlineCap?.maxWh ?? 3_000, maxSec: o.offlineCap?.maxSec ?? 900 };
    this.phaseMs = o.phaseMs ?? 0;
    this.lastPilot = this.cp.pilot();
  }

  get sessionId(): string | null {
    return this.session?.id ?? null;
  }

  get registerWh(): number {
    return this.cp.meter.registerWh;
  }

  get buffered(): number {
    return this.up.buffered;
  }

  get bufferDropped(): number {
    return this.up.dropped;
  }

  get ackFaults(): AckFaults {
    return this.up.ackFaults;
  }

  set ackFaults(f: AckFaults) {
    this.up.ackFaults = f;
  }

  /** Power-on: announces itself, ends a session that a power loss interrupted, starts reporting. */
  boot(): void {
    // Catch the physics up across the dark period first: nothing flowed while unpowered.
    this.cp.advanceTo(this.sched.now());
    this.cp.powered = true;
    const now = this.sched.now();
    const registerWh = this.cp.meter.registerWh;
    this.up.emit({
      channel: 'evt',
      message: { v: PROTOCOL_VERSION, event: 'boot', fw: this.cp.spec.fw, registerWh, at: iso(now) },
    });
    if (this.session) this.finishSession('powerLoss', this.powerLostAtMs ?? now);
    this.powerLostAtMs = null;
    this.lastPilot = this.cp.pilot();
    this.scheduleReport(this.phaseMs);
  }

  /** The supply drops: contacts fall open, nothing runs until `boot`. Memory is kept. */
  powerLoss(): void {
    this.sync();
    this.cp.powered = false;
    if (this.cp.breakerFault !== 'welded') this.cp.breaker = 'open';
    this.powerLostAtMs = this.sched.now();
    this.cancelReport?.();
    this.cancelReport = undefined;
  }

  get powered(): boolean {
    return this.cp.powered;
  }

  onLinkUp(): void {
    const now = this.sched.now();
    this.sync();
    this.offline = null;
    this.up.retain('conn', { online: true, at: iso(now) });
    this.publishState();
    this.up.drain();
  }

  onLinkDown(): void {
    if (this.offline || !this.cp.powered) return;
    this.sync();
    this.offline = { sinceMs: this.sched.now(), deliveredWh: this.cp.deliveredWh };
    if (this.session) {
      const maxSec = this.session.limits.offlineMaxSec ?? this.offlineDefaults.maxSec;
      const deadline = this.offline.sinceMs + maxSec * 1000;
      this.sched.at(deadline, () => this.sync());
    }
  }

  handleCommand(payload: string | Uint8Array): void {
    if (!this.cp.powered) return;
    this.counters.commands++;
    let json: unknown;
    try {
      json = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
    } catch {
      this.counters.ignoredInvalid++;
      return;
    }
    const parsed = Command.safeParse(json);
    if (!parsed.success) {
      this.counters.ignoredInvalid++;
      return;
    }
    const cmd = parsed.data;
    const cached = this.acks.get(cmd.cmdId);
    if (cached) {
      this.counters.duplicates++;
      this.up.ack(cached);
      return;
    }
    if (!isLive(cmd.issuedAt, cmd.expiresAt, this.sched.now())) {
      this.counters.ignoredExpired++;
      return;
    }
    this.sync();
    const ctx = this.context(cmd.sessionId);
    const decision = cmd.action === 'close' ? decideClose(ctx, cmd.sessionId) : decideOpen(ctx, cmd.sessionId);
    if (decision.ok && decision.effect === 'close') this.startSession(cmd.sessionId, cmd.limits ?? {});
    if (decision.ok && decision.effect === 'open') this.finishSession('remote', this.sched.now(), false);
    const ended = decision.ok && decision.effect === 'ended' ? this.ended.get(cmd.sessionId) : undefined;
    const ack: Ack = {
      v: PROTOCOL_VERSION,
      cmdId: cmd.cmdId,
      sessionId: cmd.sessionId,
      action: cmd.action,
      ok: decision.ok,
      ...(decision.ok ? {} : { reason: decision.reason }),
      breaker: this.cp.breaker,
      registerWh: this.cp.meter.registerWh,
      at: iso(this.sched.now()),
      // Bill from the end, not from now: the command may have waited in the broker for the whole gap.
      ...(ended ? { reason: 'sessionEnded', ended } : {}),
    };
    this.acks.set(cmd.cmdId, ack);
    this.up.ack(ack);
    if (!decision.ok && decision.reason === 'breakerFailed') this.fault('breakerFailedToClose', cmd.sessionId);
    if (!decision.ok && decision.reason === 'breakerWelded') this.fault('breakerWelded', cmd.sessionId);
    this.flushDeferred();
    this.afterChange();
  }

  // ---- faults and the physical world ----

  plugEv(ev: EvBattery): void {
    this.sync();
    this.cp.ev = ev;
    this.afterChange();
  }

  unplugEv(): void {
    this.sync();
    this.cp.ev = null;
    if (this.session) this.finishSession('evDisconnected', this.sched.now());
    this.afterChange();
  }

  /** Overcurrent trip: the breaker opens on its own (welded contacts cannot). */
  trip(): void {
    this.sync();
    if (this.cp.breaker !== 'closed' || this.cp.breakerFault === 'welded') return;
    this.fault('tripped', this.session?.id ?? null);
    if (this.session) this.finishSession('fault', this.sched.now());
    else this.cp.breaker = 'open';
    this.afterChange();
  }

  setBreakerFault(f: BreakerFault): void {
    this.cp.breakerFault = f;
  }

  meterFault(kind: 'reset' | 'rollover' | 'backwards' | 'swap', wh = 100): void {
    this.sync();
    const m = this.cp.meter;
    const sid = this.session?.id ?? null;
    if (kind === 'reset') {
      m.reset();
      this.fault('meterReset', sid);
    } else if (kind === 'rollover') {
      m.nearRollover(5);
    } else if (kind === 'backwards') {
      m.stepBackwards(wh);
      this.fault('meterBackwards', sid, `stepped back ${wh} Wh`);
    } else {
      const old = m.serial;
      m.swap(`M-${Math.floor(this.rng.next() * 1e6)}`, Math.floor(this.rng.next() * 1e6));
      this.fault('meterReset', sid, `serial swap ${old} -> ${m.serial}`);
    }
    this.publishState();
  }

  // ---- internals ----

  private context(sessionId: string): CommandContext {
    return {
      activeSessionId: this.session?.id ?? null,
      sessionEnded: this.ended.has(sessionId),
      model: this.cp.spec.model,
      evPresent: this.cp.ev !== null,
      breakerFault: this.cp.breakerFault,
    };
  }

  private startSession(id: string, limits: CommandLimits): void {
    this.cp.breaker = 'closed';
    const now = this.sched.now();
    this.session = {
      id,
      startRegisterWh: this.cp.meter.registerWh,
      startedAtMs: now,
      startDeliveredWh: this.cp.deliveredWh,
      limits,
      capsDisarmed: false,
    };
    this.scheduleReport(this.reportMs.charging);
  }

  /**
   * Opens the breaker and records the end. `emitNow` false defers the `session_end` until after the
   * ack that caused it, so the backend sees the ack first.
   */
  private finishSession(reason: SessionEndReason, endedAtMs: number, emitNow = true): boolean {
    const s = this.session;
    if (!s) return false;
    const welded = this.cp.breakerFault === 'welded' && this.cp.breaker === 'closed';
    if (welded) this.fault('breakerWelded', s.id, `could not open for ${reason}`);
    // After a power loss the session is over whatever the contacts do; otherwise it goes on.
    if (welded && reason !== 'powerLoss') {
      s.capsDisarmed = true;
      return false;
    }
    if (!welded) this.cp.breaker = 'open';
    const evt = sessionEndMessage(s, this.cp.meter.registerWh, reason, endedAtMs, this.sched.now());
    this.session = null;
    this.ended.set(s.id, { stopRegisterWh: this.cp.meter.registerWh, endedAt: iso(endedAtMs), reason });
    if (emitNow) this.up.emit({ channel: 'evt', message: evt });
    else this.deferred.push({ channel: 'evt', message: evt });
    this.scheduleReport(this.reportMs.idle);
    return true;
  }

  private flushDeferred(): void {
    const items = this.deferred;
    this.deferred = [];
    for (const item of items) this.up.emit(item);
  }

  /** Brings the physics up to now, acting on every cap reached on the way. */
  private sync(): void {
    const now = this.sched.now();
    for (let i = 0; i < 4; i++) {
      const hit = this.cp.advanceTo(now, sessionCaps(this.session, this.offline, this.offlineDefaults));
      if (!hit) break;
      this.finishSession(hit.capId === 'exposureCap' ? 'exposureCap' : 'offlineCap', hit.atMs);
      this.afterChange();
    }
  }

  private afterChange(): void {
    const pilot = this.cp.pilot();
    if (pilot !== this.lastPilot && pilot !== null && this.cp.powered) {
      this.lastPilot = pilot;
      const at = iso(this.sched.now());
      this.up.emit({
        channel: 'evt',
        message: { v: PROTOCOL_VERSION, event: 'pilot', pilot, sessionId: this.sessionId, at },
      });
    }
    this.publishState();
  }

  private fault(code: FaultCode, sessionId: string | null, detail?: string): void {
    this.up.emit({ channel: 'evt', message: faultMessage(code, sessionId, this.sched.now(), detail) });
  }

  private scheduleReport(delayMs: number): void {
    this.cancelReport?.();
    this.cancelReport = this.sched.at(this.sched.now() + delayMs, () => this.report());
  }

  private report(): void {
    this.cancelReport = undefined;
    if (!this.cp.powered) return;
    this.sync();
    const report = meterMessage(this.cp, this.seq++, this.sessionId, this.sched.now(), !this.up.online);
    this.counters.reports++;
    this.up.emit({ channel: 'meter', message: report });
    this.afterChangePilotOnly();
    if (!this.cancelReport) this.scheduleReport(this.session ? this.reportMs.charging : this.reportMs.idle);
  }

  /** A full EV drops from C to B on its own; only the pilot event is worth sending then. */
  private afterChangePilotOnly(): void {
    if (this.cp.pilot() !== this.lastPilot) this.afterChange();
  }

  private publishState(): void {
    if (!this.up.online || !this.cp.powered) return;
    this.up.retain('state', stateMessage(this.cp, this.sessionId, this.sched.now()));
  }
}
