/** Small test doubles for the station-side tests: a station registry, a clock, a recording sink. */
import { toIotRuleEvent } from '../../../contracts/iot-rule.js';
import type { Station } from '../../../functions/src/domain/station.js';
import type { StationEventSink } from '../../../functions/src/handlers/station-event-sink.js';
import type { Clock } from '../../../functions/src/ports/clock.port.js';
import type { Logger } from '../../../functions/src/ports/logger.port.js';
import type { PresencePatch, StationRepository } from '../../../functions/src/ports/station-repository.port.js';

export const T0 = Date.parse('2026-11-22T00:00:00.000Z');

export function station(id: string, extra: Partial<Station> = {}): Station {
  return {
    id,
    name: `Station ${id}`,
    site: 'Shinjuku P1',
    model: 'breaker',
    ratedW: 3000,
    voltageV: 200,
    tariff: { milliYenPerKwh: 40_000, sessionFeeYen: 0, milliYenPerMinute: 0 },
    online: false,
    breaker: 'open',
    updatedAt: new Date(T0).toISOString(),
    ...extra,
  };
}

export class ManualClock implements Clock {
  constructor(public ms = T0) {}
  now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export class StationRegistry implements Pick<StationRepository, 'get' | 'updatePresence'> {
  readonly rows = new Map<string, Station>();
  reads = 0;
  readonly presenceWrites: Array<{ id: string; patch: PresencePatch; at: string }> = [];
  failReads = false;

  constructor(stations: Station[] = []) {
    for (const s of stations) this.rows.set(s.id, s);
  }
  async get(id: string): Promise<Station | undefined> {
    this.reads++;
    await Promise.resolve();
    if (this.failReads) throw new Error('store unavailable');
    const s = this.rows.get(id);
    return s && { ...s };
  }
  async updatePresence(id: string, patch: PresencePatch, at: string): Promise<Station | undefined> {
    const s = this.rows.get(id);
    if (!s) return undefined;
    // As the repositories: a signal older than the one applied writes nothing.
    if (patch.lastSeenAt !== undefined && s.lastSeenAt !== undefined && s.lastSeenAt > patch.lastSeenAt)
      return undefined;
    this.presenceWrites.push({ id, patch, at });
    this.rows.set(id, { ...s, ...patch, updatedAt: at });
    return { ...s };
  }
}

export type SinkCall = { method: keyof StationEventSink; stationId: string; value: unknown; receivedAt: string };

export function recordingSink(): StationEventSink & { calls: SinkCall[]; failWith?: Error } {
  const calls: SinkCall[] = [];
  const sink: StationEventSink & { calls: SinkCall[]; failWith?: Error } = {
    calls,
    ack: async (stationId, value, meta) => record('ack', stationId, value, meta.receivedAt),
    meter: async (stationId, value, meta) => record('meter', stationId, value, meta.receivedAt),
    sessionEnd: async (stationId, value, meta) => record('sessionEnd', stationId, value, meta.receivedAt),
    fault: async (stationId, value, meta) => record('fault', stationId, value, meta.receivedAt),
    pilot: async (stationId, value, meta) => record('pilot', stationId, value, meta.receivedAt),
    boot: async (stationId, value, meta) => record('boot', stationId, value, meta.receivedAt),
    presence: async (stationId, value, meta) => record('presence', stationId, value, meta.receivedAt),
  };
  function record(method: keyof StationEventSink, stationId: string, value: unknown, receivedAt: string): void {
    if (sink.failWith) throw sink.failWith;
    calls.push({ method, stationId, value, receivedAt });
  }
  return sink;
}

export function silentLogger(): Logger & { warns: Array<{ msg: string; fields?: Record<string, unknown> }> } {
  const warns: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
  return {
    warns,
    debug: () => {},
    info: () => {},
    warn: (msg, fields) => void warns.push({ msg, fields }),
    error: (msg, fields) => void warns.push({ msg, fields }),
  };
}

/** The event the IoT rule delivers for a message a client published. */
export function ruleEvent(topic: string, payload: unknown, clientId: string | undefined, receivedAt = T0) {
  const bytes = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return toIotRuleEvent({ topic, payload: bytes, clientId, receivedAt });
}
