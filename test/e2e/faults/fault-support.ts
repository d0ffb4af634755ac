/**
 * What the fault suite shares: a driver with a card on file, sessions driven through the public API,
 * waits on the store, and an MQTT observer that sees (and can replay) what crosses the broker.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { expect } from 'vitest';
import { Ack, Command, type SessionEnd, StationEvent, TOPIC_PREFIX } from '../../../contracts/station-protocol.js';
import type { StationNode } from '../../../firmware-sim/src/station-node.js';
import type { LedgerEntry } from '../../../functions/src/domain/ledger.js';
import type { Session } from '../../../functions/src/domain/session.js';
import { BACKEND_MQTT_USER } from '../../../infra/local/stack/local-stack.js';
import type { AmplifyNodeUser } from '../../support/amplify-node.js';
import { chargeOnce, ok, Q, type SessionDto, signedUpDriver } from '../../support/journey.js';
import type { TestStack } from '../../support/test-stack.js';

/** Only the Minatomirai bays bill ≥ ¥50 within seconds (¥110 session fee): the fault cases take turns on them. */
export const BAY_A = 'YOK-MM-01';
export const BAY_B = 'YOK-MM-02';

export const TERMINAL = ['PAID', 'CARRIED_OVER', 'PAYMENT_FAILED', 'PAYMENT_ACTION_REQUIRED', 'FAILED_TO_START'];

let keys = 0;

/** A signed-up driver whose card is saved (one full journey on `warmStation`, through Checkout). */
export async function driverWithCard(t: TestStack, warmStation: string, tag: string): Promise<AmplifyNodeUser> {
  const { user } = await signedUpDriver(t.target, t.stack.cognitoPool, tag);
  // The stack is up once the stations reach the broker; their presence reaches the store a moment later.
  await Promise.all(t.stack.stations.map((s) => stationOnline(t, s.id)));
  const run = await chargeOnce(user, warmStation);
  expect(run.final.state).toBe('PAID');
  return user;
}

export async function stationOnline(t: TestStack, stationId: string): Promise<void> {
  await until(`${stationId} online`, async () =>
    (await t.stack.deps.ports.stations.get(stationId))?.online === true ? true : undefined,
  );
}

export async function startSession(user: AmplifyNodeUser, stationId: string): Promise<string> {
  const r = await ok(
    user.graphql<{ startCharge: { checkoutUrl: string | null; session: SessionDto } }>(Q.start, {
      stationId,
      key: `fault-${Date.now()}-${++keys}`,
    }),
  );
  expect(r.startCharge.checkoutUrl).toBeNull();
  return r.startCharge.session.id;
}

export async function stopSession(user: AmplifyNodeUser, id: string): Promise<SessionDto> {
  return (await ok(user.graphql<{ stopCharge: SessionDto }>(Q.stop, { id }))).stopCharge;
}

export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 150,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The session as the store holds it, once `accept` says so. */
export async function sessionWhen(
  t: TestStack,
  id: string,
  accept: (s: Session) => boolean,
  timeoutMs = 30_000,
): Promise<Session> {
  let last: Session | undefined;
  try {
    return await until(
      `session ${id}`,
      async () => {
        last = await t.stack.deps.ports.sessions.get(id);
        return last && accept(last) ? last : undefined;
      },
      timeoutMs,
    );
  } catch (e) {
    throw new Error(`${String(e)}; last state ${last?.state ?? 'unknown'}`);
  }
}

export const inState =
  (...states: string[]) =>
  (s: Session) =>
    states.includes(s.state);

/** CHARGING with the station's meter at least `wh` past the start register. */
export async function chargingWith(t: TestStack, id: string, wh: number, timeoutMs = 30_000): Promise<Session> {
  const s = await sessionWhen(t, id, inState('CHARGING'), timeoutMs);
  const n = node(t, s.stationId);
  await until('energy to flow', async () => (n.station.registerWh - (s.startRegisterWh ?? 0) >= wh ? true : undefined));
  return s;
}

export function node(t: TestStack, stationId: string): StationNode {
  const n = t.stack.simulator.fleet.nodes.find((x) => x.id === stationId);
  if (!n) throw new Error(`no simulated station ${stationId}`);
  return n;
}

export async function ledger(t: TestStack, id: string): Promise<LedgerEntry[]> {
  return t.stack.deps.ports.sessions.ledger(id);
}

/** The session was billed once, from the station's registers: one succeeded PaymentIntent, same amount. */
export async function expectBilledOnce(t: TestStack, id: string): Promise<Session> {
  const s = await sessionWhen(t, id, inState('PAID'));
  expect(s.energyWh).toBe((s.stopRegisterWh ?? -1) - (s.startRegisterWh ?? 0));
  const intents = (await t.stack.deps.ports.payments.listPaymentIntents({ limit: 1_000 })).filter(
    (pi) => pi.sessionId === id,
  );
  expect(intents.filter((pi) => pi.status === 'succeeded')).toEqual([
    expect.objectContaining({ id: s.paymentIntentId, amountYen: s.chargeYen }),
  ]);
  const entries = await ledger(t, id);
  expect(entries.filter((e) => e.to === 'METERED')).toHaveLength(1);
  expect(entries.filter((e) => e.to === 'PAID')).toHaveLength(1);
  return s;
}

export interface Seen {
  topic: string;
  stationId: string;
  channel: string;
  json: unknown;
}

/**
 * An MQTT client with the backend's identity: records every station message and command, and can
 * publish a recorded command again (a replay). It reconnects on its own across a broker restart.
 */
export class BrokerObserver {
  readonly seen: Seen[] = [];
  private constructor(private readonly client: MqttClient) {}

  static async connect(t: TestStack): Promise<BrokerObserver> {
    const client = await mqtt.connectAsync(t.stack.urls.mqtt, {
      protocolVersion: 4,
      clientId: `fault-observer-${randomBytes(4).toString('hex')}`,
      username: BACKEND_MQTT_USER,
      password: t.stack.secrets.backendMqttPassword,
      clean: true,
      reconnectPeriod: 500,
    });
    const o = new BrokerObserver(client);
    client.on('message', (topic, payload) => {
      const [, , , stationId = '', channel = ''] = topic.split('/');
      let json: unknown;
      try {
        json = JSON.parse(payload.toString('utf8'));
      } catch {
        json = payload.toString('utf8');
      }
      o.seen.push({ topic, stationId, channel, json });
    });
    await client.subscribeAsync(`${TOPIC_PREFIX}/+/+`, { qos: 1 });
    return o;
  }

  commands(sessionId: string): Command[] {
    return this.seen
      .filter((m) => m.channel === 'cmd')
      .map((m) => Command.safeParse(m.json))
      .flatMap((r) => (r.success && r.data.sessionId === sessionId ? [r.data] : []));
  }

  acks(sessionId: string): Ack[] {
    return this.seen
      .filter((m) => m.channel === 'ack')
      .map((m) => Ack.safeParse(m.json))
      .flatMap((r) => (r.success && r.data.sessionId === sessionId ? [r.data] : []));
  }

  /** The station's `session_end` for this session, once seen. */
  sessionEnd(sessionId: string): SessionEnd | undefined {
    for (const m of this.seen) {
      if (m.channel !== 'evt') continue;
      const r = StationEvent.safeParse(m.json);
      if (r.success && r.data.event === 'session_end' && r.data.sessionId === sessionId) return r.data;
    }
    return undefined;
  }

  async publish(stationId: string, channel: 'cmd', message: object): Promise<void> {
    await this.client.publishAsync(`${TOPIC_PREFIX}/${stationId}/${channel}`, JSON.stringify(message), { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
