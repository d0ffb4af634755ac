import { describe, expect, it } from 'vitest';
import { decideClose, decideOpen, isLive } from '../../../firmware-sim/src/command-rules.js';
import { cmd, rig } from './sim-fixture.js';

describe('station command rules', () => {
  it('closes for a valid close, acks with the breaker and register, and opens on open', () => {
    const { sched, link, station } = rig();
    station.handleCommand(cmd(sched.now(), 'close', 's1', { cmdId: 'k1' }));
    expect(link.acks()).toEqual([
      expect.objectContaining({
        cmdId: 'k1',
        sessionId: 's1',
        action: 'close',
        ok: true,
        breaker: 'closed',
        registerWh: 0,
      }),
    ]);
    sched.advance(3_600_000);
    station.handleCommand(cmd(sched.now(), 'open', 's1', { cmdId: 'k2' }));
    expect(link.acks()[1]).toMatchObject({ cmdId: 'k2', ok: true, breaker: 'open', registerWh: 3_000 });
    expect(link.sessionEnds()).toEqual([
      expect.objectContaining({ sessionId: 's1', startRegisterWh: 0, stopRegisterWh: 3_000, reason: 'remote' }),
    ]);
    const openAck = link.sent.findIndex((s) => s.msg.channel === 'ack' && s.msg.message.cmdId === 'k2');
    const end = link.sent.findIndex((s) => s.msg.channel === 'evt' && s.msg.message.event === 'session_end');
    expect(openAck).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(openAck);
  });

  it('ignores an expired command: no ack, breaker stays open', () => {
    const { sched, link, station } = rig();
    station.handleCommand(cmd(sched.now() - 60_000, 'close', 's1'));
    expect(link.acks()).toEqual([]);
    expect(station.cp.breaker).toBe('open');
    expect(station.counters.ignoredExpired).toBe(1);
  });

  it('answers a duplicate cmdId with the very ack it sent first, even after expiry', () => {
    const { sched, link, station } = rig();
    const c = cmd(sched.now(), 'close', 's1', { cmdId: 'dup' });
    station.handleCommand(c);
    sched.advance(60_000);
    station.handleCommand(c);
    const [first, second] = link.acks();
    expect(second).toEqual(first);
    expect(station.counters.duplicates).toBe(1);
  });

  it('ignores garbage and commands that fail the schema', () => {
    const { link, station } = rig();
    station.handleCommand('{nope');
    station.handleCommand(JSON.stringify({ v: 1, cmdId: 'x', action: 'close' }));
    expect(link.acks()).toEqual([]);
    expect(station.counters.ignoredInvalid).toBe(2);
    expect(station.cp.breaker).toBe('open');
  });

  it('refuses to close for a second session while busy, and never opens another session', () => {
    const { sched, link, station } = rig();
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    station.handleCommand(cmd(sched.now(), 'close', 's2'));
    station.handleCommand(cmd(sched.now(), 'open', 's2'));
    expect(link.acks().map((a) => [a.sessionId, a.ok, a.reason, a.breaker])).toEqual([
      ['s1', true, undefined, 'closed'],
      ['s2', false, 'busy', 'closed'],
      ['s2', false, 'busy', 'closed'],
    ]);
    expect(station.sessionId).toBe('s1');
  });

  it('treats a new close for the running session and an open with nothing running as already done', () => {
    const { sched, link, station } = rig();
    station.handleCommand(cmd(sched.now(), 'open', 's0'));
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    expect(link.acks().map((a) => a.ok)).toEqual([true, true, true]);
    expect(link.sessionEnds()).toEqual([]);
  });

  it('never restarts a session that already ended (a late replayed close)', () => {
    const { sched, link, station } = rig();
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    station.handleCommand(cmd(sched.now(), 'open', 's1'));
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    expect(link.acks()[2]).toMatchObject({ ok: false, reason: 'sessionEnded', breaker: 'open' });
  });

  it('refuses a Mode-3 close with no EV on the cable, but a breaker-only outlet cannot tell', () => {
    const m3 = rig({ ev: false });
    m3.station.handleCommand(cmd(m3.sched.now(), 'close', 's1'));
    expect(m3.link.acks()[0]).toMatchObject({ ok: false, reason: 'evNotConnected', breaker: 'open' });
    const br = rig({ ev: false, preset: 'breaker-200v-3kw' });
    br.station.handleCommand(cmd(br.sched.now(), 'close', 's1'));
    expect(br.link.acks()[0]).toMatchObject({ ok: true, breaker: 'closed' });
  });

  it('stops at the exposure cap in maxWh with reason exposureCap', () => {
    const { sched, link, station } = rig({ preset: 'breaker-200v-6kw' });
    station.handleCommand(cmd(sched.now(), 'close', 's1', { limits: { maxWh: 1_000 } }));
    sched.advance(3_600_000);
    expect(link.sessionEnds()).toEqual([
      expect.objectContaining({ reason: 'exposureCap', startRegisterWh: 0, stopRegisterWh: 1_000 }),
    ]);
    const end = link.sessionEnds()[0]!;
    expect(Date.parse(end.endedAt) - Date.parse(end.startedAt)).toBe(600_000);
    expect(station.cp.breaker).toBe('open');
  });

  it('reports at boot, then every 60 s idle and every 5 s while charging, with a strictly increasing seq', () => {
    const { sched, link, station } = rig();
    sched.advance(120_000);
    expect(link.meters().map((m) => m.at.slice(11, 19))).toEqual(['00:00:00', '00:01:00', '00:02:00']);
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    link.clear();
    sched.advance(60_000);
    const ms = link.meters();
    expect(ms).toHaveLength(12);
    expect(ms.every((m) => m.sessionId === 's1' && m.breaker === 'closed' && m.powerW === 3_000)).toBe(true);
    expect(ms.map((m) => m.seq)).toEqual(ms.map((_, i) => (ms[0]?.seq ?? 0) + i));
    expect(ms.at(-1)?.registerWh).toBe(50);
  });
});

describe('command decisions (pure)', () => {
  const base = {
    activeSessionId: null,
    sessionEnded: false,
    model: 'breaker' as const,
    evPresent: true,
    breakerFault: 'none' as const,
  };
  it('closes only when free, never for an ended session or a breaker that fails', () => {
    expect(decideClose(base, 's')).toEqual({ ok: true, effect: 'close' });
    expect(decideClose({ ...base, breakerFault: 'failToClose' }, 's')).toEqual({ ok: false, reason: 'breakerFailed' });
    expect(decideOpen({ ...base, activeSessionId: 's', breakerFault: 'welded' }, 's')).toEqual({
      ok: false,
      reason: 'breakerWelded',
    });
  });
  it('answers an open for a session it already ended with that end, even while serving another', () => {
    expect(decideOpen({ ...base, sessionEnded: true }, 's')).toEqual({ ok: true, effect: 'ended' });
    expect(decideOpen({ ...base, sessionEnded: true, activeSessionId: 't' }, 's')).toEqual({
      ok: true,
      effect: 'ended',
    });
    expect(decideOpen({ ...base, activeSessionId: 't' }, 's')).toEqual({ ok: false, reason: 'busy' });
    expect(decideOpen(base, 's')).toEqual({ ok: true, effect: 'none' });
  });
  it('treats inverted or unparseable validity windows as expired', () => {
    expect(isLive('2026-01-01T00:00:10Z', '2026-01-01T00:00:05Z', 0)).toBe(false);
    expect(isLive('garbage', '2026-01-01T00:00:05Z', 0)).toBe(false);
    expect(isLive('2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z', Date.parse('2026-01-01T00:00:05Z'))).toBe(false);
  });
});
