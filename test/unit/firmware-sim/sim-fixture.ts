import { parseStationMessage, type StationInbound, topicFor } from '../../../contracts/station-protocol.js';
import { EvBattery } from '../../../firmware-sim/src/ev-battery.js';
import { ManualScheduler } from '../../../firmware-sim/src/scheduler.js';
import { Station, type StationOptions } from '../../../firmware-sim/src/station.js';
import type { StationChannel, StationLink } from '../../../firmware-sim/src/station-link.js';
import { parsePreset } from '../../../firmware-sim/src/station-spec.js';

/** A link that records what the station publishes, parsed through the protocol contract. */
export class RecordingLink implements StationLink {
  online = true;
  readonly sent: { channel: StationChannel; retain: boolean; msg: StationInbound }[] = [];

  constructor(private readonly stationId: string) {}

  isOnline(): boolean {
    return this.online;
  }

  publish(channel: StationChannel, payload: string, retain: boolean): void {
    const r = parseStationMessage(topicFor(this.stationId, channel), payload);
    if (!r.ok) throw new Error(`station published an invalid ${channel}: ${r.detail}`);
    this.sent.push({ channel, retain, msg: r.value });
  }

  acks() {
    return this.sent.flatMap((s) => (s.msg.channel === 'ack' ? [s.msg.message] : []));
  }
  meters() {
    return this.sent.flatMap((s) => (s.msg.channel === 'meter' ? [s.msg.message] : []));
  }
  events() {
    return this.sent.flatMap((s) => (s.msg.channel === 'evt' ? [s.msg.message] : []));
  }
  sessionEnds() {
    return this.events().flatMap((e) => (e.event === 'session_end' ? [e] : []));
  }
  faults() {
    return this.events().flatMap((e) => (e.event === 'fault' ? [e] : []));
  }
  clear(): void {
    this.sent.length = 0;
  }
}

export interface Rig {
  sched: ManualScheduler;
  link: RecordingLink;
  station: Station;
}

/** A booted, connected station with a half-empty EV plugged in; time is virtual. */
export function rig(over: Partial<StationOptions> & { preset?: string; ev?: boolean } = {}): Rig {
  const sched = new ManualScheduler();
  const id = over.id ?? 'ST-1';
  const link = new RecordingLink(id);
  const station = new Station({
    id,
    spec: parsePreset(over.preset ?? 'mode3-200v-3kw'),
    scheduler: sched,
    link,
    ...over,
  });
  if (over.ev !== false) station.plugEv(new EvBattery({ capacityWh: 40_000, socPct: 50, maxAcceptW: 6_600 }));
  station.boot();
  station.onLinkUp();
  link.clear();
  return { sched, link, station };
}

let n = 0;
/** A command JSON as the backend sends it; valid for 30 s from `nowMs` unless told otherwise. */
export function cmd(
  nowMs: number,
  action: 'close' | 'open',
  sessionId: string,
  over: { cmdId?: string; ttlMs?: number; limits?: Record<string, number> } = {},
): string {
  return JSON.stringify({
    v: 1,
    cmdId: over.cmdId ?? `c-${++n}`,
    sessionId,
    action,
    issuedAt: new Date(nowMs).toISOString(),
    expiresAt: new Date(nowMs + (over.ttlMs ?? 30_000)).toISOString(),
    ...(over.limits ? { limits: over.limits } : {}),
  });
}
