/**
 * The AWS IoT topic rules that carry station messages to the backend, and the event they deliver.
 * The CDK stack deploys exactly these SQL strings; the local rule emulator delivers the same event.
 *
 * IoT SQL 2016-03-23: `encode(*, 'base64')` keeps the raw payload (so garbage still reaches the
 * handler and is counted there), `topic()` / `topic(5)` the full topic / its 5th level (1-based),
 * `clientid()` the MQTT client id of the publisher (`n/a` when not published over MQTT) and
 * `timestamp()` the rules engine's receive time in epoch milliseconds.
 */
import { z } from 'zod';
import { type Channel, TOPIC_PREFIX } from './station-protocol.js';

export const IOT_RULE_SQL_VERSION = '2016-03-23' as const;

/** What `clientid()` yields for a message that did not arrive over MQTT (e.g. data-plane HTTP Publish). */
export const NO_MQTT_CLIENT_ID = 'n/a' as const;

/** AWS IoT caps a message payload at 128 KiB. */
export const MAX_PAYLOAD_BYTES = 128 * 1024;

export interface IotTopicRule {
  /** AWS rule names: [A-Za-z0-9_]+ */
  name: string;
  topicFilter: string;
  /** The station channels the WHERE clause admits; the emulator routes by the same list. */
  channels: readonly Channel[];
  sql: string;
}

const SELECT =
  "SELECT encode(*, 'base64') AS payloadB64, topic() AS topic, clientid() AS clientId, timestamp() AS receivedAt";

function rule(name: string, topicFilter: string, channels: readonly Channel[]): IotTopicRule {
  const where = channels.map((c) => `topic(5) = '${c}'`).join(' OR ');
  return { name, topicFilter, channels, sql: `${SELECT} FROM '${topicFilter}' WHERE ${where}` };
}

/** Acks, events, state and connection changes: low volume, straight to the station-events Lambda. */
export const STATION_EVENTS_RULE = rule('ev_station_events', `${TOPIC_PREFIX}/+/+`, ['ack', 'evt', 'state', 'conn']);

/** Meter reports: the firehose, routed through a queue to a batched Lambda in the cloud. */
export const STATION_METER_RULE = rule('ev_station_meter', `${TOPIC_PREFIX}/+/meter`, ['meter']);

export const STATION_EVENTS_RULE_SQL = STATION_EVENTS_RULE.sql;
export const STATION_METER_RULE_SQL = STATION_METER_RULE.sql;
export const STATION_RULES: readonly IotTopicRule[] = [STATION_EVENTS_RULE, STATION_METER_RULE];

/** The JSON object the rule's SELECT produces: the Lambda event, or the body of one SQS message. */
export const IotRuleEvent = z.object({
  payloadB64: z.base64().max(Math.ceil(MAX_PAYLOAD_BYTES / 3) * 4),
  topic: z.string().min(1).max(256),
  clientId: z.string().max(128),
  receivedAt: z.number().int().nonnegative(),
});
export type IotRuleEvent = z.infer<typeof IotRuleEvent>;

export function toIotRuleEvent(input: {
  topic: string;
  payload: Uint8Array;
  clientId: string | undefined;
  receivedAt: number;
}): IotRuleEvent {
  return {
    payloadB64: Buffer.from(input.payload).toString('base64'),
    topic: input.topic,
    clientId: input.clientId ?? NO_MQTT_CLIENT_ID,
    receivedAt: input.receivedAt,
  };
}

/** MQTT topic-filter match ([MQTT-4.7.1]): `+` one level, `#` the rest. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}

/** True when the rule's FROM and WHERE both admit a message on this topic. */
export function ruleMatches(r: IotTopicRule, topic: string): boolean {
  if (!topicMatches(r.topicFilter, topic)) return false;
  const channel = topic.split('/')[4];
  return r.channels.some((c) => c === channel);
}
