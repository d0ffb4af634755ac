/**
 * The AWS IoT rules engine, locally: connects to the local broker as the backend with a
 * `iot-rules-…` client id, for which the broker forwards each live message already projected into
 * the rule's event (payloadB64, topic, clientId of the publisher, receivedAt) — the publisher's
 * client id is known only inside the broker. Each event goes to the handler of every rule whose
 * FROM/WHERE admits it. Sits in the station benchmark's hot path: no per-message allocation beyond
 * the event itself; handler failures are counted and logged (rate-limited), never thrown.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import {
  type IotRuleEvent,
  type IotTopicRule,
  ruleMatches,
  STATION_RULES,
  topicMatches,
} from '../../../contracts/iot-rule.js';
import type { Logger } from '../../../functions/src/ports/logger.port.js';
import { RULE_CLIENT_PREFIX } from './broker-acl.js';
import { stderrLogger } from './stderr-logger.js';

export type RuleHandler = (event: IotRuleEvent) => Promise<unknown>;
export interface RuleRoute {
  rule: IotTopicRule;
  handler: RuleHandler;
}

export interface RuleEmulatorOptions {
  mqttUrl: string;
  /** The backend identity of the local broker. */
  username: string;
  password: string;
  /** Every station rule (events and meter) into one handler… */
  handler?: RuleHandler;
  /** …or each rule into its own handler. */
  routes?: RuleRoute[];
  logger?: Logger;
  /** Handler invocations running at once (Lambda concurrency); more wait in a FIFO. Default 256. */
  maxInFlight?: number;
  /** Waiting invocations beyond this are dropped and counted (the emulator must not eat the heap). Default 100,000. */
  maxQueued?: number;
}

export interface RuleEmulatorStats {
  received: number;
  delivered: number;
  handlerErrors: number;
  dropped: number;
  malformed: number;
  inFlight: number;
  queued: number;
}

export interface RuleEmulator {
  stats(): RuleEmulatorStats;
  close(): Promise<void>;
}

/** Filters that no other filter in the set already covers, so no message is delivered twice. */
export function coveringFilters(filters: readonly string[]): string[] {
  const unique = [...new Set(filters)];
  return unique.filter((f) => !unique.some((g) => g !== f && topicMatches(g, f)));
}

function throttledLog(logger: Logger, perSecond: number): (msg: string, fields: Record<string, unknown>) => void {
  let windowStart = 0;
  let used = 0;
  let suppressed = 0;
  return (msg, fields) => {
    const now = Date.now();
    if (now - windowStart >= 1000) {
      if (suppressed > 0) logger.error('iot.rules.logsSuppressed', { suppressed });
      windowStart = now;
      used = 0;
      suppressed = 0;
    }
    if (used++ < perSecond) logger.error(msg, fields);
    else suppressed++;
  };
}

/**
 * The broker built this event itself (broker-acl.ts), and the handler validates it in full with
 * the IotRuleEvent schema: the emulator only checks the shape it routes by. In the station bench's
 * profile zod took ~11 % of the backend's CPU, about half of it this second parse (a base64 regex
 * over every payload).
 */
function hasRuleEventShape(x: unknown): x is IotRuleEvent {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  return (
    typeof e.topic === 'string' &&
    typeof e.payloadB64 === 'string' &&
    typeof e.clientId === 'string' &&
    typeof e.receivedAt === 'number'
  );
}

export async function startRuleEmulator(opts: RuleEmulatorOptions): Promise<RuleEmulator> {
  const { handler } = opts;
  const routes: RuleRoute[] = opts.routes ?? (handler ? STATION_RULES.map((rule) => ({ rule, handler })) : []);
  if (routes.length === 0) throw new Error('startRuleEmulator: give a handler or routes');
  const logger = opts.logger ?? stderrLogger;
  const logError = throttledLog(logger, 5);
  const maxInFlight = opts.maxInFlight ?? 256;
  const maxQueued = opts.maxQueued ?? 100_000;
  const s: RuleEmulatorStats = {
    received: 0,
    delivered: 0,
    handlerErrors: 0,
    dropped: 0,
    malformed: 0,
    inFlight: 0,
    queued: 0,
  };
  const queue: Array<{ route: RuleRoute; event: IotRuleEvent } | undefined> = [];
  let head = 0;

  function settle(route: RuleRoute, event: IotRuleEvent, error: unknown): void {
    s.inFlight--;
    if (error === undefined) s.delivered++;
    else {
      s.handlerErrors++;
      logError('iot.rules.handlerFailed', { rule: route.rule.name, topic: event.topic, error: String(error) });
    }
    if (head < queue.length) {
      const next = queue[head];
      queue[head++] = undefined;
      s.queued--;
      if (head > 4096 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      if (next) invoke(next.route, next.event);
    }
  }

  function invoke(route: RuleRoute, event: IotRuleEvent): void {
    s.inFlight++;
    let p: Promise<unknown>;
    try {
      p = route.handler(event);
    } catch (e) {
      settle(route, event, e ?? new Error('handler threw'));
      return;
    }
    p.then(
      () => settle(route, event, undefined),
      (e: unknown) => settle(route, event, e ?? new Error('handler rejected')),
    );
  }

  function onMessage(topic: string, payload: Buffer): void {
    s.received++;
    let event: unknown;
    try {
      event = JSON.parse(payload.toString('utf8'));
    } catch (e) {
      event = String(e);
    }
    if (!hasRuleEventShape(event)) {
      // Only a client not recognised as a rules client by the broker receives raw payloads.
      s.malformed++;
      logError('iot.rules.notAnEvent', { topic, error: String(event).slice(0, 200) });
      return;
    }
    for (const route of routes) {
      if (!ruleMatches(route.rule, event.topic)) continue;
      if (s.inFlight < maxInFlight) invoke(route, event);
      else if (s.queued < maxQueued) {
        queue.push({ route, event });
        s.queued++;
      } else {
        s.dropped++;
        logError('iot.rules.dropped', { rule: route.rule.name, topic: event.topic, reason: 'queue full' });
      }
    }
  }

  const client: MqttClient = await mqtt.connectAsync(opts.mqttUrl, {
    protocolVersion: 4,
    clientId: `${RULE_CLIENT_PREFIX}${randomBytes(6).toString('hex')}`,
    username: opts.username,
    password: opts.password,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
  // Nagle off on every (re)connect: mqtt.js has no option for it (FACTS.md).
  const noDelay = (): void => {
    const stream = client.stream as { setNoDelay?: (v: boolean) => void };
    stream.setNoDelay?.(true);
  };
  noDelay();
  client.on('connect', noDelay);
  client.on('error', (e) => logError('iot.rules.mqttError', { error: e.message }));
  client.on('message', onMessage);
  const filters = coveringFilters(routes.map((r) => r.rule.topicFilter));
  // QoS 0: in AWS the rules engine sits inside the broker, with no per-message ack. Here the session
  // is clean and the socket loopback, so QoS 1 guaranteed nothing more, yet cost a PUBACK and the
  // broker's in-flight bookkeeping for every station message (5,000/s in the benchmark).
  const granted = await client.subscribeAsync(filters, { qos: 0 });
  if (granted.some((g) => g.qos === 128)) {
    await client.endAsync(true);
    throw new Error('rule emulator: subscription refused by the broker');
  }

  return {
    stats: () => ({ ...s }),
    async close() {
      await client.endAsync(true);
    },
  };
}
