/**
 * Station MQTT protocol v1 — the one copy of every schema both the backend and the firmware
 * simulator use. Topics: `ev/v1/st/{stationId}/{channel}`; all messages are JSON, QoS 1.
 *
 * AWS IoT Core redelivers and reorders QoS 1 messages and replays queued commands up to an hour
 * late, so every command carries its own `expiresAt` (aedes speaks MQTT 3.1.1: no message expiry)
 * and a `cmdId` that the station uses to answer duplicates with the ack it sent the first time.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1 as const;
export const TOPIC_PREFIX = 'ev/v1/st' as const;

/** Station ids double as MQTT client ids and IoT thing names, so they must be topic-safe. */
export const StationId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'station id: 1-64 of [A-Za-z0-9_-], starting alphanumeric');
export type StationId = z.infer<typeof StationId>;

export const CHANNELS = ['cmd', 'ack', 'meter', 'evt', 'state', 'conn'] as const;
export type Channel = (typeof CHANNELS)[number];
/** Channels a station publishes on (backend → station is only `cmd`). */
export const STATION_PUBLISH_CHANNELS = ['ack', 'meter', 'evt', 'state', 'conn'] as const satisfies readonly Channel[];

export function topicFor(stationId: string, channel: Channel): string {
  return `${TOPIC_PREFIX}/${stationId}/${channel}`;
}

export interface ParsedTopic {
  stationId: StationId;
  channel: Channel;
}

/** Parses `ev/v1/st/{id}/{channel}`; returns undefined for anything else (never throws). */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== 'ev' || parts[1] !== 'v1' || parts[2] !== 'st') return undefined;
  const id = StationId.safeParse(parts[3]);
  const channel = parts[4] as Channel;
  if (!id.success || !CHANNELS.includes(channel)) return undefined;
  return { stationId: id.data, channel };
}

const IsoTime = z.iso.datetime({ offset: true });
const Wh = z.number().int().nonnegative();
const Id = z.string().min(1).max(128);

export const BreakerPosition = z.enum(['open', 'closed']);
export type BreakerPosition = z.infer<typeof BreakerPosition>;

/** IEC 61851-1 control pilot states; breaker-only outlets have no pilot and report `null`. */
export const PilotState = z.enum(['A', 'B', 'C', 'D', 'E', 'F']);
export type PilotState = z.infer<typeof PilotState>;

export const StationModel = z.enum(['breaker', 'mode3']);
export type StationModel = z.infer<typeof StationModel>;

/** Limits a station enforces on its own, in particular while it cannot reach the backend. */
export const CommandLimits = z.object({
  maxWh: Wh.optional(),
  offlineMaxWh: Wh.optional(),
  offlineMaxSec: z.number().int().positive().optional(),
});
export type CommandLimits = z.infer<typeof CommandLimits>;

/** Backend → station on `cmd`. */
export const Command = z.object({
  v: z.literal(PROTOCOL_VERSION),
  cmdId: Id,
  sessionId: Id,
  action: z.enum(['close', 'open']),
  issuedAt: IsoTime,
  expiresAt: IsoTime,
  limits: CommandLimits.optional(),
});
export type Command = z.infer<typeof Command>;

export const SessionEndReason = z.enum(['remote', 'evDisconnected', 'powerLoss', 'fault', 'offlineCap', 'exposureCap']);
export type SessionEndReason = z.infer<typeof SessionEndReason>;

/** How a session ended, as the station recorded it (the same facts as its `session_end`). */
export const SessionEndFacts = z.object({
  stopRegisterWh: Wh,
  endedAt: IsoTime,
  reason: SessionEndReason,
});
export type SessionEndFacts = z.infer<typeof SessionEndFacts>;

/**
 * Station → backend on `ack`: the answer to one command, with the breaker and meter at that moment.
 *
 * An open command for a session the station had already ended by itself (its offline cap while
 * the command waited in the broker's queue, the EV unplugged, …) is answered `ok` with
 * `reason: 'sessionEnded'` and `ended`: that earlier end. The backend bills from `ended`, never
 * from `at`/`registerWh` — those are the moment the command arrived, possibly long after, and a
 * per-minute tariff would charge the whole gap. The `session_end` it sent (or replays) carries the
 * same facts, so whichever of the two lands first meters the session and the other is a no-op.
 * An ack with `reason: 'sessionEnded'` but no `ended` makes the backend wait for that `session_end`.
 * Both fields are optional (protocol v1 unchanged): a station that omits them is billed from its
 * ack as before, and a backend that does not know them strips them.
 */
export const Ack = z.object({
  v: z.literal(PROTOCOL_VERSION),
  cmdId: Id,
  sessionId: Id,
  action: z.enum(['close', 'open']),
  ok: z.boolean(),
  /** Why a command was refused (busy, breakerFailed, breakerWelded, sessionEnded, …), or `sessionEnded` on an ok open. */
  reason: z.string().max(64).optional(),
  breaker: BreakerPosition,
  registerWh: Wh,
  at: IsoTime,
  /** Only on an ok open for a session this station had already ended: that end. */
  ended: SessionEndFacts.optional(),
});
export type Ack = z.infer<typeof Ack>;

/** Station → backend on `meter`: the firehose. `seq` is per station and strictly increasing. */
export const MeterReport = z.object({
  v: z.literal(PROTOCOL_VERSION),
  seq: z.number().int().nonnegative(),
  at: IsoTime,
  registerWh: Wh,
  powerW: z.number().nonnegative(),
  voltageV: z.number().nonnegative().optional(),
  currentA: z.number().nonnegative().optional(),
  breaker: BreakerPosition,
  sessionId: Id.nullable(),
  pilot: PilotState.nullable().optional(),
  /** True when this reading was taken while offline and is being replayed. */
  replayed: z.boolean().optional(),
});
export type MeterReport = z.infer<typeof MeterReport>;

const SessionEndEvent = z.object({
  v: z.literal(PROTOCOL_VERSION),
  event: z.literal('session_end'),
  sessionId: Id,
  startRegisterWh: Wh,
  stopRegisterWh: Wh,
  startedAt: IsoTime,
  endedAt: IsoTime,
  reason: SessionEndReason,
  at: IsoTime,
});
const FaultEvent = z.object({
  v: z.literal(PROTOCOL_VERSION),
  event: z.literal('fault'),
  code: z.enum(['breakerWelded', 'breakerFailedToClose', 'tripped', 'meterReset', 'meterBackwards', 'overcurrent']),
  sessionId: Id.nullable(),
  detail: z.string().max(256).optional(),
  at: IsoTime,
});
const PilotEvent = z.object({
  v: z.literal(PROTOCOL_VERSION),
  event: z.literal('pilot'),
  pilot: PilotState,
  sessionId: Id.nullable(),
  at: IsoTime,
});
const BootEvent = z.object({
  v: z.literal(PROTOCOL_VERSION),
  event: z.literal('boot'),
  fw: z.string().max(32),
  registerWh: Wh,
  at: IsoTime,
});

/** Station → backend on `evt`. */
export const StationEvent = z.discriminatedUnion('event', [SessionEndEvent, FaultEvent, PilotEvent, BootEvent]);
export type StationEvent = z.infer<typeof StationEvent>;
export type SessionEnd = z.infer<typeof SessionEndEvent>;

/** Station → backend on `state` (retained): the station's own view of itself. */
export const StationState = z.object({
  v: z.literal(PROTOCOL_VERSION),
  model: StationModel,
  ratedW: z.number().int().positive(),
  voltageV: z.number().int().positive(),
  breaker: BreakerPosition,
  sessionId: Id.nullable(),
  registerWh: Wh,
  pilot: PilotState.nullable(),
  fw: z.string().max(32),
  at: IsoTime,
});
export type StationState = z.infer<typeof StationState>;

/** Station → backend on `conn` (retained). The Last Will is exactly `{"online":false}`. */
export const Connection = z.object({
  online: z.boolean(),
  at: IsoTime.optional(),
});
export type Connection = z.infer<typeof Connection>;
export const LAST_WILL_PAYLOAD = JSON.stringify({ online: false } satisfies Connection);

/** Everything that may arrive from a station, by channel. */
export const StationMessage = {
  ack: Ack,
  meter: MeterReport,
  evt: StationEvent,
  state: StationState,
  conn: Connection,
} as const;

export type StationInbound =
  | { channel: 'ack'; stationId: StationId; message: Ack }
  | { channel: 'meter'; stationId: StationId; message: MeterReport }
  | { channel: 'evt'; stationId: StationId; message: StationEvent }
  | { channel: 'state'; stationId: StationId; message: StationState }
  | { channel: 'conn'; stationId: StationId; message: Connection };

export type ParseFailure = { ok: false; reason: 'topic' | 'json' | 'schema' | 'channel'; detail: string };

/** Parses one inbound station message from its topic and raw payload. Never throws. */
export function parseStationMessage(
  topic: string,
  payload: string | Uint8Array,
): { ok: true; value: StationInbound } | ParseFailure {
  const t = parseTopic(topic);
  if (!t) return { ok: false, reason: 'topic', detail: `not a station topic: ${topic.slice(0, 128)}` };
  if (t.channel === 'cmd') return { ok: false, reason: 'channel', detail: 'cmd is backend → station only' };
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8'));
  } catch {
    return { ok: false, reason: 'json', detail: 'payload is not JSON' };
  }
  const schema = StationMessage[t.channel];
  const r = schema.safeParse(json);
  if (!r.success) return { ok: false, reason: 'schema', detail: z.prettifyError(r.error).slice(0, 512) };
  return { ok: true, value: { channel: t.channel, stationId: t.stationId, message: r.data } as StationInbound };
}
