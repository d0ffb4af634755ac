import { describe, expect, it } from 'vitest';
import { LAST_WILL_PAYLOAD, parseStationMessage, parseTopic, topicFor } from '../../../contracts/station-protocol.js';

const at = '2026-11-22T00:00:00.000Z';

describe('station protocol v1', () => {
  it('round-trips topics and refuses foreign ones', () => {
    expect(parseTopic(topicFor('TKY-001', 'meter'))).toEqual({ stationId: 'TKY-001', channel: 'meter' });
    expect(parseTopic('ev/v1/st/TKY-001/other')).toBeUndefined();
    expect(parseTopic('ev/v1/st/../cmd')).toBeUndefined();
    expect(parseTopic('ev/v1/st/a/b/meter')).toBeUndefined();
    expect(parseTopic('ev/v2/st/TKY-001/meter')).toBeUndefined();
  });

  it('parses a valid meter report', () => {
    const r = parseStationMessage(
      topicFor('TKY-001', 'meter'),
      JSON.stringify({ v: 1, seq: 3, at, registerWh: 1200, powerW: 2990.5, breaker: 'closed', sessionId: 's1' }),
    );
    expect(r.ok && r.value.channel === 'meter' && r.value.message.registerWh).toBe(1200);
  });

  it('rejects garbage, bad JSON, wrong shapes and backend-only channels with a reason', () => {
    expect(parseStationMessage(topicFor('A', 'meter'), '{not json')).toMatchObject({ ok: false, reason: 'json' });
    expect(parseStationMessage(topicFor('A', 'meter'), '{"v":1,"seq":-1}')).toMatchObject({
      ok: false,
      reason: 'schema',
    });
    expect(parseStationMessage(topicFor('A', 'cmd'), '{}')).toMatchObject({ ok: false, reason: 'channel' });
    expect(parseStationMessage('random/topic', '{}')).toMatchObject({ ok: false, reason: 'topic' });
    expect(parseStationMessage(topicFor('A', 'meter'), new Uint8Array([0xff, 0xfe]))).toMatchObject({ ok: false });
  });

  it('takes an ack with or without the end of a session the station had already ended (optional, v1)', () => {
    const ack = {
      v: 1,
      cmdId: 'c1',
      sessionId: 's1',
      action: 'open',
      ok: true,
      breaker: 'open',
      registerWh: 1_300,
      at,
    };
    const ended = { stopRegisterWh: 1_250, endedAt: '2026-11-21T23:50:00.000Z', reason: 'offlineCap' };
    const plain = parseStationMessage(topicFor('A', 'ack'), JSON.stringify(ack));
    expect(plain.ok && plain.value.channel === 'ack' && plain.value.message.ended).toBeUndefined();
    const withEnd = parseStationMessage(
      topicFor('A', 'ack'),
      JSON.stringify({ ...ack, reason: 'sessionEnded', ended }),
    );
    expect(withEnd).toMatchObject({ ok: true, value: { channel: 'ack', message: { reason: 'sessionEnded', ended } } });
    const badEnd = { ...ack, ended: { ...ended, reason: 'bored' } };
    expect(parseStationMessage(topicFor('A', 'ack'), JSON.stringify(badEnd))).toMatchObject({
      ok: false,
      reason: 'schema',
    });
  });

  it('accepts the Last Will payload on conn', () => {
    const r = parseStationMessage(topicFor('A', 'conn'), LAST_WILL_PAYLOAD);
    expect(r).toMatchObject({ ok: true, value: { channel: 'conn', message: { online: false } } });
  });

  it('parses a session_end event with its registers and reason', () => {
    const r = parseStationMessage(
      topicFor('A', 'evt'),
      JSON.stringify({
        v: 1,
        event: 'session_end',
        sessionId: 's1',
        startRegisterWh: 100,
        stopRegisterWh: 900,
        startedAt: at,
        endedAt: at,
        reason: 'evDisconnected',
        at,
      }),
    );
    expect(r).toMatchObject({ ok: true, value: { message: { event: 'session_end', reason: 'evDisconnected' } } });
  });
});
