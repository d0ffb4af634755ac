import { describe, expect, it } from 'vitest';
import { topicFor } from '../../../contracts/station-protocol.js';
import { makeHandler, type StationEventsDeps } from '../../../functions/src/handlers/station-events.js';
import {
  ManualClock,
  recordingSink,
  ruleEvent,
  StationRegistry,
  silentLogger,
  station,
  T0,
} from '../iot/station-fakes.js';

const at = new Date(T0).toISOString();
const meter = (seq: number) => ({
  v: 1,
  seq,
  at,
  registerWh: 1000 + seq,
  powerW: 2990,
  breaker: 'closed',
  sessionId: 's1',
});
const ack = { v: 1, cmdId: 'c1', sessionId: 's1', action: 'close', ok: true, breaker: 'closed', registerWh: 1000, at };

function setup(extra: Partial<StationEventsDeps> = {}) {
  const stations = new StationRegistry([station('TKY-001'), station('TKY-002')]);
  const sink = recordingSink();
  const clock = new ManualClock();
  const logger = silentLogger();
  const handler = makeHandler({ stations, sink, clock, logger, ...extra });
  return { stations, sink, clock, logger, handler };
}

describe('station-events handler', () => {
  it('dispatches a valid meter report and ack to the sink with the broker receive time', async () => {
    const { handler, sink } = setup();
    await expect(handler(ruleEvent(topicFor('TKY-001', 'meter'), meter(1), 'TKY-001', T0 + 5))).resolves.toEqual({
      outcome: 'dispatched',
    });
    await handler(ruleEvent(topicFor('TKY-001', 'ack'), ack, 'TKY-001'));
    expect(sink.calls.map((c) => [c.method, c.stationId])).toEqual([
      ['meter', 'TKY-001'],
      ['ack', 'TKY-001'],
    ]);
    expect(sink.calls[0]?.receivedAt).toBe(new Date(T0 + 5).toISOString());
    expect(sink.calls[0]?.value).toMatchObject({ seq: 1, registerWh: 1001 });
    expect(handler.counters).toMatchObject({ received: 2, dispatched: 2, garbage: 0 });
  });

  it('routes each station event kind to its own sink method', async () => {
    const { handler, sink } = setup();
    const evts = [
      {
        v: 1,
        event: 'session_end',
        sessionId: 's1',
        startRegisterWh: 1,
        stopRegisterWh: 9,
        startedAt: at,
        endedAt: at,
        reason: 'remote',
        at,
      },
      { v: 1, event: 'fault', code: 'tripped', sessionId: null, at },
      { v: 1, event: 'pilot', pilot: 'C', sessionId: 's1', at },
      { v: 1, event: 'boot', fw: '1.0.0', registerWh: 5, at },
    ];
    for (const e of evts) await handler(ruleEvent(topicFor('TKY-001', 'evt'), e, 'TKY-001'));
    expect(sink.calls.map((c) => c.method)).toEqual(['sessionEnd', 'fault', 'pilot', 'boot']);
  });

  it('turns conn and state into presence signals ordered by receive time', async () => {
    const { handler, sink } = setup();
    await handler(ruleEvent(topicFor('TKY-001', 'conn'), '{"online":false}', 'TKY-001', T0 + 1));
    const state = {
      v: 1,
      model: 'mode3',
      ratedW: 6000,
      voltageV: 200,
      breaker: 'closed',
      sessionId: 's1',
      registerWh: 7,
      pilot: 'C',
      fw: '1',
      at,
    };
    await handler(ruleEvent(topicFor('TKY-001', 'state'), state, 'TKY-001', T0 + 2));
    expect(sink.calls.map((c) => c.value)).toEqual([
      { kind: 'conn', online: false, receivedAt: new Date(T0 + 1).toISOString() },
      { kind: 'state', breaker: 'closed', sessionId: 's1', receivedAt: new Date(T0 + 2).toISOString() },
    ]);
  });

  it('counts and drops garbage without touching the sink or the store', async () => {
    const { handler, sink, stations, logger } = setup();
    const garbage: unknown[] = [
      undefined,
      'hello',
      { topic: topicFor('TKY-001', 'meter') },
      { ...ruleEvent(topicFor('TKY-001', 'meter'), meter(1), 'TKY-001'), payloadB64: '***' },
      ruleEvent(topicFor('TKY-001', 'meter'), '{not json', 'TKY-001'),
      ruleEvent(topicFor('TKY-001', 'meter'), { v: 1, seq: -1 }, 'TKY-001'),
      ruleEvent(topicFor('TKY-001', 'cmd'), { v: 1 }, 'TKY-001'),
      ruleEvent('ev/v1/st/TKY-001/other', meter(1), 'TKY-001'),
      ruleEvent(topicFor('TKY-001', 'meter'), Buffer.from([0xff, 0xfe]).toString('latin1'), 'TKY-001'),
    ];
    for (const g of garbage) await expect(handler(g)).resolves.toEqual({ outcome: 'garbage' });
    expect(handler.counters).toMatchObject({ received: garbage.length, garbage: garbage.length, dispatched: 0 });
    expect(sink.calls).toEqual([]);
    expect(stations.reads).toBe(0);
    expect(logger.warns.filter((w) => w.msg === 'station.dropped').length).toBeGreaterThan(0);
  });

  it("drops a message whose publisher is not the topic's station (incl. HTTP publishes, clientid n/a)", async () => {
    const { handler, sink } = setup();
    await expect(handler(ruleEvent(topicFor('TKY-001', 'ack'), ack, 'TKY-002'))).resolves.toEqual({
      outcome: 'wrongStation',
    });
    await expect(handler(ruleEvent(topicFor('TKY-001', 'ack'), ack, undefined))).resolves.toEqual({
      outcome: 'wrongStation',
    });
    expect(handler.counters.wrongStation).toBe(2);
    expect(sink.calls).toEqual([]);
  });

  it('drops messages from stations the registry does not know', async () => {
    const { handler, sink } = setup();
    await expect(handler(ruleEvent(topicFor('GHOST', 'meter'), meter(1), 'GHOST'))).resolves.toEqual({
      outcome: 'unknownStation',
    });
    expect(handler.counters.unknownStation).toBe(1);
    expect(sink.calls).toEqual([]);
  });

  it('reads the registry once per station per TTL, not once per meter report', async () => {
    const { handler, stations, clock } = setup({ knownStationTtlMs: 60_000, unknownStationTtlMs: 5_000 });
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => handler(ruleEvent(topicFor('TKY-001', 'meter'), meter(i), 'TKY-001'))),
    );
    expect(stations.reads).toBe(1);
    for (let i = 0; i < 20; i++) await handler(ruleEvent(topicFor('GHOST', 'meter'), meter(i), 'GHOST'));
    expect(stations.reads).toBe(2);
    clock.advance(5_001);
    await handler(ruleEvent(topicFor('GHOST', 'meter'), meter(99), 'GHOST'));
    await handler(ruleEvent(topicFor('TKY-001', 'meter'), meter(99), 'TKY-001'));
    expect(stations.reads).toBe(3);
    clock.advance(60_000);
    await handler(ruleEvent(topicFor('TKY-001', 'meter'), meter(100), 'TKY-001'));
    expect(stations.reads).toBe(4);
  });

  it('learns a station registered after it was first seen as unknown, once the short TTL passes', async () => {
    const { handler, stations, clock } = setup({ unknownStationTtlMs: 1_000 });
    await handler(ruleEvent(topicFor('NEW-1', 'meter'), meter(1), 'NEW-1'));
    stations.rows.set('NEW-1', station('NEW-1'));
    clock.advance(1_001);
    await expect(handler(ruleEvent(topicFor('NEW-1', 'meter'), meter(2), 'NEW-1'))).resolves.toEqual({
      outcome: 'dispatched',
    });
  });

  it('keeps the cache bounded, evicting the least recently refreshed station', async () => {
    const { handler, stations } = setup({ maxCachedStations: 2 });
    stations.rows.set('TKY-003', station('TKY-003'));
    for (const id of ['TKY-001', 'TKY-002', 'TKY-003']) await handler(ruleEvent(topicFor(id, 'meter'), meter(1), id));
    expect(stations.reads).toBe(3);
    await handler(ruleEvent(topicFor('TKY-003', 'meter'), meter(2), 'TKY-003'));
    expect(stations.reads).toBe(3);
    await handler(ruleEvent(topicFor('TKY-001', 'meter'), meter(2), 'TKY-001'));
    expect(stations.reads).toBe(4);
  });

  it('fails the event (for a retry) when the sink or the store fails, and counts it', async () => {
    const { handler, sink, stations } = setup();
    sink.failWith = new Error('ddb down');
    await expect(handler(ruleEvent(topicFor('TKY-001', 'ack'), ack, 'TKY-001'))).rejects.toThrow('ddb down');
    stations.failReads = true;
    await expect(handler(ruleEvent(topicFor('TKY-002', 'ack'), ack, 'TKY-002'))).rejects.toThrow('store unavailable');
    expect(handler.counters).toMatchObject({ failed: 2, dispatched: 0 });
  });

  it('handles an SQS batch of rule events (meter path), reporting only failed records for retry', async () => {
    const { handler, sink } = setup();
    const body = (e: unknown) => JSON.stringify(e);
    const result = await handler({
      Records: [
        { messageId: 'm1', body: body(ruleEvent(topicFor('TKY-001', 'meter'), meter(1), 'TKY-001')) },
        { messageId: 'm2', body: 'not json' },
        { messageId: 'm3', body: body(ruleEvent(topicFor('GHOST', 'meter'), meter(1), 'GHOST')) },
        { messageId: 'm4', body: body(ruleEvent(topicFor('TKY-002', 'meter'), meter(2), 'TKY-002')) },
      ],
    });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sink.calls.map((c) => c.stationId)).toEqual(['TKY-001', 'TKY-002']);
    expect(handler.counters).toMatchObject({ received: 4, dispatched: 2, garbage: 1, unknownStation: 1 });
    sink.failWith = new Error('boom');
    const failed = await handler({
      Records: [{ messageId: 'm5', body: body(ruleEvent(topicFor('TKY-001', 'meter'), meter(3), 'TKY-001')) }],
    });
    expect(failed).toEqual({ batchItemFailures: [{ itemIdentifier: 'm5' }] });
  });

  it('rate-limits drop logs per reason but still counts every drop', async () => {
    const { handler, logger, clock } = setup({ dropLogsPerSecond: 3 });
    for (let i = 0; i < 100; i++) await handler('junk');
    expect(handler.counters.garbage).toBe(100);
    expect(logger.warns.filter((w) => w.msg === 'station.dropped')).toHaveLength(3);
    clock.advance(1000);
    await handler('junk');
    expect(logger.warns.find((w) => w.msg === 'station.dropped.suppressed')?.fields).toEqual({
      reason: 'garbage',
      suppressed: 97,
    });
  });
});
