import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type IotRuleEvent, STATION_EVENTS_RULE, STATION_METER_RULE } from '../../../contracts/iot-rule.js';
import { LAST_WILL_PAYLOAD, topicFor } from '../../../contracts/station-protocol.js';
import { makeHandler } from '../../../functions/src/handlers/station-events.js';
import type { LocalIot } from '../../../infra/local/iot/local-iot.js';
import { type RuleEmulator, startRuleEmulator } from '../../../infra/local/iot/rule-emulator.js';
import { ManualClock, recordingSink, StationRegistry, silentLogger, station } from '../../unit/iot/station-fakes.js';
import {
  BACKEND,
  backendOpts,
  connect,
  endAllClients,
  type LogLine,
  memoryLogger,
  sleep,
  startTestIot,
  stationOpts,
} from './iot-test-kit.js';

let iot: LocalIot & { log: LogLine[] };
const emulators: RuleEmulator[] = [];

beforeAll(async () => {
  iot = await startTestIot();
});
afterEach(async () => {
  await Promise.all(emulators.splice(0).map((e) => e.close()));
  await endAllClients();
});
afterAll(() => iot?.close());

const at = '2026-11-22T00:00:00.000Z';
const meter = { v: 1, seq: 1, at, registerWh: 10, powerW: 3000, breaker: 'closed', sessionId: 's1' };
const ack = { v: 1, cmdId: 'c1', sessionId: 's1', action: 'close', ok: true, breaker: 'closed', registerWh: 10, at };

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

async function emulate(opts: Parameters<typeof startRuleEmulator>[0]): Promise<RuleEmulator> {
  const e = await startRuleEmulator(opts);
  emulators.push(e);
  return e;
}

describe('rule emulator → station-events handler', () => {
  it('delivers exactly the IoT rule event, with the real publisher client id and receive time', async () => {
    const events: IotRuleEvent[] = [];
    await emulate({ mqttUrl: iot.mqttUrl, ...BACKEND, handler: async (e) => void events.push(e) });
    const st = await connect(iot.mqttUrl, stationOpts('TKY-001'));
    const before = Date.now();
    await st.publishAsync(topicFor('TKY-001', 'meter'), JSON.stringify(meter), { qos: 1 });
    await until(() => events.length === 1);
    const e = events[0];
    expect(e).toMatchObject({ topic: topicFor('TKY-001', 'meter'), clientId: 'TKY-001' });
    expect(JSON.parse(Buffer.from(e?.payloadB64 ?? '', 'base64').toString())).toEqual(meter);
    expect(e?.receivedAt).toBeGreaterThanOrEqual(before);
  });

  it('counts and drops garbage, unknown and wrong-station messages; dispatches only the valid one', async () => {
    const stations = new StationRegistry([station('TKY-001')]);
    const sink = recordingSink();
    const handler = makeHandler({ stations, sink, clock: new ManualClock(), logger: silentLogger() });
    const emu = await emulate({ mqttUrl: iot.mqttUrl, ...BACKEND, handler, logger: memoryLogger() });

    const st = await connect(iot.mqttUrl, stationOpts('TKY-001'));
    await st.publishAsync(topicFor('TKY-001', 'meter'), '{garbage', { qos: 1 });
    await st.publishAsync(topicFor('TKY-001', 'ack'), JSON.stringify({ ...ack, registerWh: -5 }), { qos: 1 });
    const ghost = await connect(iot.mqttUrl, stationOpts('GHOST-9')); // the broker lets it in; the registry does not know it
    await ghost.publishAsync(topicFor('GHOST-9', 'meter'), JSON.stringify(meter), { qos: 1 });
    const be = await connect(iot.mqttUrl, backendOpts('be-forger'));
    await be.publishAsync(topicFor('TKY-001', 'ack'), JSON.stringify(ack), { qos: 1 });
    const sdk = new IoTDataPlaneClient({
      endpoint: iot.publishEndpoint,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    await sdk.send(
      new PublishCommand({ topic: topicFor('TKY-001', 'ack'), qos: 1, payload: Buffer.from(JSON.stringify(ack)) }),
    );
    sdk.destroy();
    await st.publishAsync(topicFor('TKY-001', 'ack'), JSON.stringify(ack), { qos: 1 });

    await until(() => emu.stats().delivered === 6);
    expect(handler.counters).toEqual({
      received: 6,
      dispatched: 1,
      garbage: 2,
      wrongStation: 2,
      unknownStation: 1,
      failed: 0,
    });
    expect(sink.calls.map((c) => [c.method, c.stationId])).toEqual([['ack', 'TKY-001']]);
  });

  it("turns a station's Last Will into an offline presence signal for the handler", async () => {
    const stations = new StationRegistry([station('TKY-005')]);
    const sink = recordingSink();
    const handler = makeHandler({ stations, sink, clock: new ManualClock(), logger: silentLogger() });
    await emulate({ mqttUrl: iot.mqttUrl, ...BACKEND, handler });
    const will = {
      topic: topicFor('TKY-005', 'conn'),
      payload: Buffer.from(LAST_WILL_PAYLOAD),
      qos: 1 as const,
      retain: true,
    };
    const st = await connect(iot.mqttUrl, stationOpts('TKY-005', { will }));
    st.stream.destroy();
    await until(() => sink.calls.length === 1);
    expect(sink.calls[0]).toMatchObject({
      method: 'presence',
      stationId: 'TKY-005',
      value: { kind: 'conn', online: false },
    });
  });

  it('routes meter reports and events to their own rules, never commands or retained replays', async () => {
    const meterEvents: string[] = [];
    const otherEvents: string[] = [];
    const st = await connect(iot.mqttUrl, stationOpts('TKY-002'));
    await st.publishAsync(topicFor('TKY-002', 'state'), '{"retained":true}', { qos: 1, retain: true });
    await emulate({
      mqttUrl: iot.mqttUrl,
      ...BACKEND,
      routes: [
        { rule: STATION_METER_RULE, handler: async (e) => void meterEvents.push(e.topic) },
        { rule: STATION_EVENTS_RULE, handler: async (e) => void otherEvents.push(e.topic) },
      ],
    });
    const be = await connect(iot.mqttUrl, backendOpts('be-cmd'));
    await be.publishAsync(topicFor('TKY-002', 'cmd'), '{}', { qos: 1 });
    await st.publishAsync(topicFor('TKY-002', 'meter'), JSON.stringify(meter), { qos: 1 });
    await st.publishAsync(topicFor('TKY-002', 'conn'), '{"online":true}', { qos: 1, retain: true });
    await until(() => meterEvents.length === 1 && otherEvents.length === 1);
    await sleep(50);
    expect(meterEvents).toEqual([topicFor('TKY-002', 'meter')]);
    expect(otherEvents).toEqual([topicFor('TKY-002', 'conn')]);
  });

  it('survives failing and throwing handlers, counting and logging them', async () => {
    const logger = memoryLogger();
    let n = 0;
    const emu = await emulate({
      mqttUrl: iot.mqttUrl,
      ...BACKEND,
      logger,
      handler: (e) => {
        n++;
        if (n === 1) throw new Error('sync boom');
        if (n === 2) return Promise.reject(new Error('async boom'));
        return Promise.resolve(e.topic);
      },
    });
    const st = await connect(iot.mqttUrl, stationOpts('TKY-003'));
    for (let i = 0; i < 3; i++) await st.publishAsync(topicFor('TKY-003', 'meter'), JSON.stringify(meter), { qos: 1 });
    await until(() => emu.stats().received === 3 && emu.stats().inFlight === 0);
    expect(emu.stats()).toMatchObject({ received: 3, delivered: 1, handlerErrors: 2, dropped: 0 });
    expect(logger.lines.filter((l) => l.msg === 'iot.rules.handlerFailed')).toHaveLength(2);
  });

  it('bounds concurrent handler invocations and queues the rest in order', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const emu = await emulate({
      mqttUrl: iot.mqttUrl,
      ...BACKEND,
      maxInFlight: 2,
      handler: async (e) => {
        running++;
        peak = Math.max(peak, running);
        await sleep(5);
        seen.push(JSON.parse(Buffer.from(e.payloadB64, 'base64').toString()).seq);
        running--;
      },
    });
    const st = await connect(iot.mqttUrl, stationOpts('TKY-004'));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        st.publishAsync(topicFor('TKY-004', 'meter'), JSON.stringify({ ...meter, seq: i }), { qos: 1 }),
      ),
    );
    await until(() => emu.stats().delivered === 20);
    expect(peak).toBe(2);
    expect(seen).toHaveLength(20);
    expect(emu.stats().queued).toBe(0);
  });
});
