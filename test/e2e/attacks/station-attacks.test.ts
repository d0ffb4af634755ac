/**
 * Attacks from the station side on the running local stack's MQTT broker (issue 9): wrong
 * credentials are refused in the CONNACK; a genuine station publishing on another station's topics
 * (a forged session_end or ack for a driver who is charging there), on its own cmd, or subscribing
 * to another's cmd is refused and nothing reaches the backend; garbage and oversized payloads are
 * dropped, counted or logged, and the station works afterwards. The charging driver is not disturbed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicFor } from '../../../contracts/station-protocol.js';
import { stationPassword } from '../../../infra/local/iot/local-iot.js';
import { BACKEND_MQTT_USER } from '../../../infra/local/stack/local-stack.js';
import type { AmplifyNodeUser } from '../../support/amplify-node.js';
import { expectHealthy } from '../../support/invariants.js';
import { Q, type SessionDto, signedUpDriver } from '../../support/journey.js';
import { startTestStack, type TestStack } from '../../support/test-stack.js';
import { sessionOf, startCharging, stopAfter } from '../support-flows.js';
import { capturingLogs, snapshot } from './attack-kit.js';

let t: TestStack;
let alice: AmplifyNodeUser;
let spy: MqttClient;
/** What the backend side of the broker saw, by topic (retained replays excluded). */
const seen: { topic: string; payload: string }[] = [];
const clients = new Set<MqttClient>();

const VICTIM = 'YOK-MM-01'; // alice charges here (¥110 session fee: a real charge)
const ATTACKER = 'TKY-SBY-02'; // a genuine station whose credentials the attacker holds

beforeAll(async () => {
  t = await startTestStack({ EV_STATIONS: '5', EV_REPORT_MS: '300' });
  alice = (await signedUpDriver(t.target, t.stack.cognitoPool, 'alice')).user;
  spy = await connect({
    clientId: `attack-spy-${Date.now()}`,
    username: BACKEND_MQTT_USER,
    password: t.stack.secrets.backendMqttPassword,
  });
  spy.on('message', (topic, payload, packet) => {
    if (!packet.retain) seen.push({ topic, payload: payload.toString() });
  });
  await spy.subscribeAsync('ev/v1/st/#', { qos: 1 });
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.endAsync(true).catch(() => undefined);
  await alice?.dispose();
  await t?.stop();
});

function connect(opts: IClientOptions, url = t.stack.urls.mqtt): Promise<MqttClient> {
  const client = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, ...opts });
  clients.add(client);
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (e) => {
      client.end(true);
      reject(e);
    });
  });
}

/** The CONNACK return code of a refused connection. */
async function refusal(opts: IClientOptions, url?: string): Promise<number | string> {
  return connect(opts, url).then(
    async (c) => {
      await c.endAsync(true);
      return 'accepted';
    },
    (e: unknown) => (e instanceof Error && 'code' in e && typeof e.code === 'number' ? e.code : String(e)),
  );
}

const stationLogin = (id: string, password = stationPassword(t.stack.secrets.stationSecret, id)): IClientOptions => ({
  clientId: id,
  username: id,
  password,
  clean: true,
});

/** Connects as the attacker station (its simulated twin has been taken off the network). */
const asAttacker = () => connect(stationLogin(ATTACKER));

/** Publishes and waits for the broker to cut the connection (its answer to a refused PUBLISH). */
async function publishAndExpectCut(client: MqttClient, topic: string, payload: string | Buffer, retain = false) {
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  client.publish(topic, payload, { qos: 1, retain });
  await Promise.race([
    closed,
    sleep(5_000).then(() => {
      throw new Error(`the broker kept ${topic} open`);
    }),
  ]);
}

const now = () => new Date().toISOString();

describe('station attacks on the broker', () => {
  it('refuses wrong credentials with a refused CONNACK, over TCP and WebSocket, and kicks nobody', async () => {
    const secret = t.stack.secrets.stationSecret;
    expect(await refusal(stationLogin(ATTACKER, 'wrong'))).toBe(5);
    expect(await refusal(stationLogin(ATTACKER, stationPassword(secret, 'TKY-SBY-01')))).toBe(5);
    expect(await refusal({ ...stationLogin(ATTACKER), clientId: 'not-the-station' })).toBe(2);
    expect(await refusal(stationLogin('ZZZ-UNKNOWN-1'))).toBe(5); // a valid HMAC, but not in the registry
    expect(await refusal({ clientId: 'anon' })).toBe(5);
    expect(await refusal({ clientId: 'be-x', username: BACKEND_MQTT_USER, password: 'guess' })).toBe(5);
    expect(await refusal(stationLogin(ATTACKER, 'wrong'), t.stack.urls.mqttWs)).toBe(5);
    // The genuine stations, the attacker's station among them, are still connected.
    expect(t.stack.simulator.fleet.online()).toBe(5);
  });

  it("keeps a station off another station's topics and its own cmd; the driver there keeps charging", async () => {
    const { session } = await startCharging(alice, VICTIM);
    const live = alice.subscribe<{ onSessionUpdate: SessionDto }>(Q.onSession, { id: session.id });
    await live.ready;
    const flowing = await live.waitFor((e) => (e.onSessionUpdate.energyWh ?? 0) > 0, 15_000);
    const node = t.stack.simulator.fleet.nodes.find((n) => n.id === ATTACKER);
    if (!node) throw new Error(`${ATTACKER} is not simulated`);
    node.goOffline(10 * 60_000); // stays away past this file: the attacker uses its credentials
    const before = await snapshot(t);
    const wrongBefore = (await t.stack.status()).stationEvents;

    let st = await asAttacker();
    expect((await st.subscribeAsync(topicFor(ATTACKER, 'cmd'), { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    for (const filter of [topicFor(VICTIM, 'cmd'), 'ev/v1/st/+/cmd', '#', topicFor(VICTIM, 'meter')]) {
      await expect(st.subscribeAsync(filter, { qos: 1 }), filter).rejects.toThrow();
    }
    const forgedEnd = JSON.stringify({
      v: 1,
      event: 'session_end',
      sessionId: session.id,
      startRegisterWh: 0,
      stopRegisterWh: 1,
      startedAt: now(),
      endedAt: now(),
      reason: 'remote',
      at: now(),
    });
    const forgedAck = JSON.stringify({
      v: 1,
      cmdId: 'cmd-forged',
      sessionId: session.id,
      action: 'open',
      ok: true,
      breaker: 'open',
      registerWh: 1,
      at: now(),
    });
    const forgedCmd = JSON.stringify({
      v: 1,
      cmdId: 'cmd-forged',
      sessionId: session.id,
      action: 'open',
      issuedAt: now(),
      expiresAt: now(),
    });
    const refused: [string, string, boolean][] = [
      [topicFor(VICTIM, 'evt'), forgedEnd, false],
      [topicFor(VICTIM, 'ack'), forgedAck, false],
      [topicFor(VICTIM, 'cmd'), forgedCmd, false],
      [topicFor(ATTACKER, 'cmd'), forgedCmd, false],
      [topicFor(ATTACKER, 'meter'), '{"v":1}', true],
    ];
    for (const [topic, payload, retain] of refused) {
      await publishAndExpectCut(st, topic, payload, retain);
      st = await asAttacker();
    }
    await st.endAsync();
    await sleep(300);
    // None of the attacker's messages got through. (The simulated twin whose credentials it used comes back
    // on its own and reports as usual: its messages are its own, not the attacker's.)
    const attackPayloads = new Set(refused.map(([, payload]) => payload));
    const fromAttack = seen.filter((m) => attackPayloads.has(m.payload));
    expect(fromAttack).toEqual([]);
    expect((await t.stack.status()).stationEvents).toMatchObject({ wrongStation: 0 });
    expect(wrongBefore).toMatchObject({ wrongStation: 0 });

    // Nothing reached the session: the breaker is still closed for alice, her meter still rises.
    const sinceWh = flowing.onSessionUpdate.energyWh ?? 0;
    await live.waitFor(
      (e) => (e.onSessionUpdate.energyWh ?? 0) > sinceWh && e.onSessionUpdate.state === 'CHARGING',
      15_000,
    );
    live.unsubscribe();
    expect((await sessionOf(alice, session.id)).state).toBe('CHARGING');
    expect(await t.stack.deps.ports.stations.get(VICTIM)).toMatchObject({
      breaker: 'closed',
      activeSessionId: session.id,
    });
    expect((await snapshot(t)).store).toEqual(before.store);
    expect((await stopAfter(alice, session.id)).state).toBe('PAID');
  });

  it('drops garbage (counted) and oversized payloads (refused, logged); the station still works afterwards', async () => {
    const before = await snapshot(t);
    const counters = async () => (await t.stack.status()).stationEvents as Record<string, number>;
    const garbageBefore = (await counters()).garbage ?? 0;
    const st = await asAttacker();
    const junk = JSON.stringify({ v: 1, junk: 'x'.repeat(100 * 1024) }); // under the 128 KiB limit
    await st.publishAsync(topicFor(ATTACKER, 'meter'), 'not json', { qos: 1 });
    await st.publishAsync(topicFor(ATTACKER, 'evt'), '{"v":1,"event":"session_end","stopRegisterWh":-5}', { qos: 1 });
    await st.publishAsync(topicFor(ATTACKER, 'state'), junk, { qos: 1 });
    await st.publishAsync(topicFor(ATTACKER, 'meter'), Buffer.from([0xff, 0xfe, 0x00, 0x01]), { qos: 1 });
    const deadline = Date.now() + 5_000;
    while (((await counters()).garbage ?? 0) < garbageBefore + 4 && Date.now() < deadline) await sleep(50);
    expect((await counters()).garbage).toBe(garbageBefore + 4);
    expect(st.connected).toBe(true);

    const { lines } = await capturingLogs(() =>
      publishAndExpectCut(st, topicFor(ATTACKER, 'meter'), Buffer.alloc(200 * 1024, 0x7b)),
    );
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'iot.publish.refused', clientId: ATTACKER, reason: 'payload too large' }),
    );
    await sleep(200);
    expect((await counters()).garbage).toBe(garbageBefore + 4);

    // The station reconnects and is heard again: its presence brings it back online.
    const again = await asAttacker();
    await again.publishAsync(topicFor(ATTACKER, 'conn'), JSON.stringify({ online: true, at: now() }), {
      qos: 1,
      retain: true,
    });
    const until = Date.now() + 5_000;
    while ((await t.stack.deps.ports.stations.get(ATTACKER))?.online !== true && Date.now() < until) await sleep(50);
    expect((await t.stack.deps.ports.stations.get(ATTACKER))?.online).toBe(true);
    await again.endAsync();
    expect((await snapshot(t)).store).toEqual(before.store);
    await expectHealthy(t);
  });
});
