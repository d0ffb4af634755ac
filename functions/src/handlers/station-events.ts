/**
 * The Lambda behind the station IoT rules (contracts/iot-rule.ts): one rule event per invocation
 * (acks, events, state, conn), or an SQS batch of them (the meter path). Garbage, wrong-station and
 * unknown-station messages are logged (rate-limited), counted and dropped — they change nothing.
 * Valid messages go to the StationEventSink. Unknown-station filtering must not cost a store read
 * per meter report at 5,000 msg/s, so known station ids are cached with a bounded TTL and size.
 */
import { z } from 'zod';
import { IotRuleEvent } from '../../../contracts/iot-rule.js';
import { parseStationMessage, type StationInbound } from '../../../contracts/station-protocol.js';
import { lambdaHandler } from '../composition/lambda.js';
import type { Clock } from '../ports/clock.port.js';
import type { Logger } from '../ports/logger.port.js';
import type { StationRepository } from '../ports/station-repository.port.js';
import type { InboundMeta, StationEventSink } from './station-event-sink.js';

export type DropReason = 'garbage' | 'wrongStation' | 'unknownStation';
export type StationEventOutcome = 'dispatched' | DropReason;

export interface StationEventCounters {
  received: number;
  dispatched: number;
  garbage: number;
  wrongStation: number;
  unknownStation: number;
  /** Sink or store failures: the event is failed so the platform retries it. */
  failed: number;
}

export interface StationEventsDeps {
  stations: Pick<StationRepository, 'get'>;
  sink: StationEventSink;
  clock: Clock;
  logger: Logger;
  knownStationTtlMs?: number;
  unknownStationTtlMs?: number;
  maxCachedStations?: number;
  /** Drop log lines per reason per second (the rest are counted only). */
  dropLogsPerSecond?: number;
}

export type StationEventsResult =
  | { outcome: StationEventOutcome }
  | { batchItemFailures: Array<{ itemIdentifier: string }> };

export interface StationEventsHandler {
  (event: unknown): Promise<StationEventsResult>;
  readonly counters: Readonly<StationEventCounters>;
}

const SqsBatch = z.object({ Records: z.array(z.object({ messageId: z.string(), body: z.string() })) });

/** Station ids seen in the registry, remembered for a while; concurrent misses share one read. */
export function makeKnownStations(deps: {
  stations: Pick<StationRepository, 'get'>;
  clock: Clock;
  ttlMs: number;
  negativeTtlMs: number;
  maxEntries: number;
}): (stationId: string) => Promise<boolean> {
  const entries = new Map<string, { known: boolean; until: number }>();
  const pending = new Map<string, Promise<boolean>>();
  const lookup = async (id: string): Promise<boolean> => {
    const known = (await deps.stations.get(id)) !== undefined;
    entries.delete(id);
    entries.set(id, { known, until: deps.clock.now().getTime() + (known ? deps.ttlMs : deps.negativeTtlMs) });
    // Map iteration is insertion order: the first key is the least recently refreshed.
    while (entries.size > deps.maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
    return known;
  };
  return (id) => {
    const e = entries.get(id);
    if (e && e.until > deps.clock.now().getTime()) return Promise.resolve(e.known);
    let p = pending.get(id);
    if (!p) {
      p = lookup(id).finally(() => pending.delete(id));
      pending.set(id, p);
    }
    return p;
  };
}

function dropLogger(logger: Logger, clock: Clock, perSecond: number) {
  const windows = new Map<DropReason, { start: number; used: number; suppressed: number }>();
  return (reason: DropReason, fields: Record<string, unknown>): void => {
    const now = clock.now().getTime();
    let w = windows.get(reason);
    if (!w || now - w.start >= 1000) {
      if (w && w.suppressed > 0) logger.warn('station.dropped.suppressed', { reason, suppressed: w.suppressed });
      w = { start: now, used: 0, suppressed: 0 };
      windows.set(reason, w);
    }
    if (w.used++ < perSecond) logger.warn('station.dropped', { reason, ...fields });
    else w.suppressed++;
  };
}

async function dispatch(sink: StationEventSink, m: StationInbound, meta: InboundMeta): Promise<void> {
  const id = m.stationId;
  switch (m.channel) {
    case 'ack':
      return sink.ack(id, m.message, meta);
    case 'meter':
      return sink.meter(id, m.message, meta);
    case 'conn':
      return sink.presence(id, { kind: 'conn', online: m.message.online, receivedAt: meta.receivedAt }, meta);
    case 'state': {
      const { breaker, sessionId } = m.message;
      return sink.presence(id, { kind: 'state', breaker, sessionId, receivedAt: meta.receivedAt }, meta);
    }
    case 'evt': {
      const e = m.message;
      if (e.event === 'session_end') return sink.sessionEnd(id, e, meta);
      if (e.event === 'fault') return sink.fault(id, e, meta);
      if (e.event === 'pilot') return sink.pilot(id, e, meta);
      return sink.boot(id, e, meta);
    }
  }
}

export function makeHandler(deps: StationEventsDeps): StationEventsHandler {
  const counters: StationEventCounters = {
    received: 0,
    dispatched: 0,
    garbage: 0,
    wrongStation: 0,
    unknownStation: 0,
    failed: 0,
  };
  const isKnown = makeKnownStations({
    stations: deps.stations,
    clock: deps.clock,
    ttlMs: deps.knownStationTtlMs ?? 60_000,
    negativeTtlMs: deps.unknownStationTtlMs ?? 10_000,
    maxEntries: deps.maxCachedStations ?? 50_000,
  });
  const logDrop = dropLogger(deps.logger, deps.clock, deps.dropLogsPerSecond ?? 5);

  function drop(reason: DropReason, fields: Record<string, unknown>): StationEventOutcome {
    counters[reason]++;
    logDrop(reason, fields);
    return reason;
  }

  async function one(event: unknown): Promise<StationEventOutcome> {
    counters.received++;
    const ev = IotRuleEvent.safeParse(event);
    if (!ev.success) return drop('garbage', { cause: 'event', detail: z.prettifyError(ev.error).slice(0, 256) });
    const { topic, clientId, receivedAt } = ev.data;
    const parsed = parseStationMessage(topic, Buffer.from(ev.data.payloadB64, 'base64'));
    if (!parsed.ok)
      return drop('garbage', { cause: parsed.reason, topic, clientId, detail: parsed.detail.slice(0, 256) });
    const { stationId } = parsed.value;
    // The thing policy already binds a station to its topics; this catches any other publisher.
    if (clientId !== stationId) return drop('wrongStation', { topic, clientId, stationId });
    try {
      if (!(await isKnown(stationId))) return drop('unknownStation', { topic, stationId });
      await dispatch(deps.sink, parsed.value, {
        topic,
        receivedAtMs: receivedAt,
        receivedAt: new Date(receivedAt).toISOString(),
      });
    } catch (e) {
      counters.failed++;
      deps.logger.error('station.event.failed', { topic, stationId, channel: parsed.value.channel, error: String(e) });
      throw e;
    }
    counters.dispatched++;
    return 'dispatched';
  }

  async function handle(event: unknown): Promise<StationEventsResult> {
    const batch = SqsBatch.safeParse(event);
    if (!batch.success) return { outcome: await one(event) };
    const failures: Array<{ itemIdentifier: string }> = [];
    for (const record of batch.data.Records) {
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch {
        body = undefined; // counted as garbage by one()
      }
      await one(body).catch(() => failures.push({ itemIdentifier: record.messageId }));
    }
    return { batchItemFailures: failures };
  }

  return Object.assign(handle, { counters });
}

export const handler = lambdaHandler((d) =>
  makeHandler({ stations: d.ports.stations, sink: d.stationSink, clock: d.ports.clock, logger: d.logger }),
);
