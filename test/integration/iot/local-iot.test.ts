import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LAST_WILL_PAYLOAD, topicFor } from '../../../contracts/station-protocol.js';
import type { LocalIot } from '../../../infra/local/iot/local-iot.js';
import {
  backendOpts,
  connect,
  endAllClients,
  inbox,
  type LogLine,
  SECRET,
  sleep,
  startTestIot,
  stationOpts,
} from './iot-test-kit.js';

let iot: LocalIot & { log: LogLine[] };

beforeAll(async () => {
  iot = await startTestIot({ isKnownStation: (id) => id !== 'GHOST-1' });
});
afterEach(endAllClients);
afterAll(() => iot?.close());

const connackCode = (e: unknown) => (e as { code?: number }).code;

describe('local IoT broker: authentication (thing identity)', () => {
  it('accepts a station whose client id and username are its id and whose password is HMAC(secret, id)', async () => {
    const st = await connect(iot.mqttUrl, stationOpts('TKY-001'));
    expect(st.connected).toBe(true);
  });

  it('refuses a wrong password with CONNACK 5', async () => {
    const err = await connect(iot.mqttUrl, stationOpts('TKY-001', { password: 'nope' })).catch((e: unknown) => e);
    expect(connackCode(err)).toBe(5);
  });

  it('refuses a password made for another station', async () => {
    const other = stationOpts('TKY-002');
    const err = await connect(iot.mqttUrl, { ...stationOpts('TKY-001'), password: other.password }).catch((e) => e);
    expect(connackCode(err)).toBe(5);
  });

  it('refuses a client id that is not its username (identifier rejected)', async () => {
    const err = await connect(iot.mqttUrl, stationOpts('TKY-001', { clientId: 'TKY-002' })).catch((e) => e);
    expect(connackCode(err)).toBe(2);
  });

  it('refuses a station the registry does not know, even with a valid password', async () => {
    const err = await connect(iot.mqttUrl, stationOpts('GHOST-1')).catch((e) => e);
    expect(connackCode(err)).toBe(5);
  });

  it('refuses a wrong backend password and MQTT 5 clients', async () => {
    const bad = await connect(iot.mqttUrl, backendOpts('be-x', { password: 'x' })).catch((e) => e);
    expect(connackCode(bad)).toBe(5);
    const v5 = await connect(iot.mqttUrl, { ...stationOpts('TKY-001'), protocolVersion: 5 }).catch((e) => e);
    expect(v5).toBeInstanceOf(Error);
  });

  it('refuses a Last Will on a topic the station may not publish to', async () => {
    const will = {
      topic: topicFor('TKY-002', 'conn'),
      payload: Buffer.from(LAST_WILL_PAYLOAD),
      qos: 1 as const,
      retain: true,
    };
    const err = await connect(iot.mqttUrl, stationOpts('TKY-001', { will })).catch((e) => e);
    expect(connackCode(err)).toBe(5);
  });
});

describe('local IoT broker: thing-policy ACLs', () => {
  it("grants a station its own cmd and refuses another station's cmd with 128", async () => {
    const st = await connect(iot.mqttUrl, stationOpts('TKY-001'));
    const own = await st.subscribeAsync(topicFor('TKY-001', 'cmd'), { qos: 1 });
    expect(own.map((g) => g.qos)).toEqual([1]);
    await expect(st.subscribeAsync(topicFor('TKY-002', 'cmd'), { qos: 1 })).rejects.toThrow();
    await expect(st.subscribeAsync('ev/v1/st/+/cmd', { qos: 1 })).rejects.toThrow();
    await expect(st.subscribeAsync(topicFor('TKY-001', 'meter'), { qos: 1 })).rejects.toThrow();
    expect(iot.log.some((l) => l.msg === 'iot.subscribe.refused')).toBe(true);
  });

  it("drops a publish on another station's topic and closes the offender", async () => {
    const be = await connect(iot.mqttUrl, backendOpts('be-acl'));
    const box = inbox(be);
    await be.subscribeAsync('ev/v1/st/#', { qos: 1 });
    const st = await connect(iot.mqttUrl, stationOpts('TKY-001'));
    const closed = new Promise<void>((r) => st.once('close', () => r()));
    st.publish(topicFor('TKY-002', 'ack'), '{"forged":true}', { qos: 1 });
    await closed;
    const honest = await connect(iot.mqttUrl, stationOpts('TKY-003'));
    await honest.publishAsync(topicFor('TKY-003', 'meter'), '{"ok":true}', { qos: 1 });
    await box.waitFor(1);
    await sleep(50);
    expect(box.messages.map((m) => m.topic)).toEqual([topicFor('TKY-003', 'meter')]);
  });

  it('refuses a station publishing on cmd, with QoS 2, or retaining a meter report', async () => {
    for (const [topic, opts] of [
      [topicFor('TKY-001', 'cmd'), { qos: 1 }],
      [topicFor('TKY-001', 'meter'), { qos: 2 }],
      [topicFor('TKY-001', 'meter'), { qos: 1, retain: true }],
    ] as const) {
      const st = await connect(iot.mqttUrl, stationOpts('TKY-001'));
      const closed = new Promise<void>((r) => st.once('close', () => r()));
      st.publish(topic, '{}', opts);
      await closed;
    }
    expect(iot.log.filter((l) => l.msg === 'iot.publish.refused').length).toBeGreaterThanOrEqual(3);
  });

  it('lets the backend publish a command that only the addressed station receives', async () => {
    const a = await connect(iot.mqttUrl, stationOpts('TKY-010'));
    const b = await connect(iot.mqttUrl, stationOpts('TKY-011'));
    const boxA = inbox(a);
    const boxB = inbox(b);
    await a.subscribeAsync(topicFor('TKY-010', 'cmd'), { qos: 1 });
    await b.subscribeAsync(topicFor('TKY-011', 'cmd'), { qos: 1 });
    const be = await connect(iot.mqttUrl, backendOpts('be-cmd'));
    await be.publishAsync(topicFor('TKY-010', 'cmd'), '{"cmdId":"c1"}', { qos: 1 });
    await boxA.waitFor(1);
    await sleep(30);
    expect(boxA.messages[0]?.payload).toBe('{"cmdId":"c1"}');
    expect(boxB.messages).toEqual([]);
  });
});

describe('local IoT broker: sessions, retained state and Last Will', () => {
  it('publishes the Last Will {"online":false}, retained on conn, when a station drops abruptly', async () => {
    const will = {
      topic: topicFor('TKY-020', 'conn'),
      payload: Buffer.from(LAST_WILL_PAYLOAD),
      qos: 1 as const,
      retain: true,
    };
    const st = await connect(iot.mqttUrl, stationOpts('TKY-020', { will }));
    await st.publishAsync(topicFor('TKY-020', 'conn'), '{"online":true}', { qos: 1, retain: true });
    st.stream.destroy();
    await sleep(100);
    const be = await connect(iot.mqttUrl, backendOpts('be-will'));
    const box = inbox(be);
    await be.subscribeAsync(topicFor('TKY-020', 'conn'), { qos: 1 });
    await box.waitFor(1);
    expect(box.messages[0]).toMatchObject({ payload: LAST_WILL_PAYLOAD, retain: true });
  });

  it('keeps the retained state of a station for late subscribers', async () => {
    const st = await connect(iot.mqttUrl, stationOpts('TKY-021'));
    await st.publishAsync(topicFor('TKY-021', 'state'), '{"breaker":"open"}', { qos: 1, retain: true });
    const be = await connect(iot.mqttUrl, backendOpts('be-state'));
    const box = inbox(be);
    await be.subscribeAsync(topicFor('TKY-021', 'state'), { qos: 1 });
    await box.waitFor(1);
    expect(box.messages[0]).toMatchObject({ payload: '{"breaker":"open"}', retain: true });
  });

  it('queues QoS 1 commands for an offline persistent session and delivers them on reconnect', async () => {
    const opts = stationOpts('TKY-022', { clean: false });
    const first = await connect(iot.mqttUrl, opts);
    await first.subscribeAsync(topicFor('TKY-022', 'cmd'), { qos: 1 });
    await first.endAsync();
    const be = await connect(iot.mqttUrl, backendOpts('be-queue'));
    await be.publishAsync(topicFor('TKY-022', 'cmd'), '{"n":1}', { qos: 1 });
    await be.publishAsync(topicFor('TKY-022', 'cmd'), '{"n":2}', { qos: 1 });
    const again = await connect(iot.mqttUrl, { ...opts, resubscribe: false });
    const box = inbox(again);
    await box.waitFor(2);
    expect(box.messages.map((m) => m.payload)).toEqual(['{"n":1}', '{"n":2}']);
  });

  it('serves stations over WebSocket with the same identity rules', async () => {
    const be = await connect(iot.mqttUrl, backendOpts('be-ws'));
    const box = inbox(be);
    await be.subscribeAsync(topicFor('TKY-030', 'meter'), { qos: 1 });
    const st = await connect(iot.wsUrl, stationOpts('TKY-030'));
    await st.publishAsync(topicFor('TKY-030', 'meter'), '{"seq":1}', { qos: 1 });
    await box.waitFor(1);
    expect(box.messages[0]?.payload).toBe('{"seq":1}');
    const err = await connect(iot.wsUrl, stationOpts('TKY-030', { password: SECRET })).catch((e) => e);
    expect(connackCode(err)).toBe(5);
  });
});
