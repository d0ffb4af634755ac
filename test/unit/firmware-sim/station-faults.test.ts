import { describe, expect, it } from 'vitest';
import { EvBattery } from '../../../firmware-sim/src/ev-battery.js';
import { cmd, rig } from './sim-fixture.js';

describe('offline behaviour', () => {
  it('buffers readings while offline and replays them in order, throttled, marked replayed', () => {
    const { sched, link, station } = rig({ replayPerSec: 20, reportMs: { charging: 1_000, idle: 1_000 } });
    sched.advance(2_500);
    link.online = false;
    station.onLinkDown();
    sched.advance(30_000);
    expect(link.meters()).toHaveLength(3);
    expect(station.buffered).toBe(30);
    link.online = true;
    station.onLinkUp();
    sched.advance(500);
    // 20/s in 100 ms ticks: 2 at once on reconnect, 2 per tick after
    expect(link.meters().filter((m) => m.replayed)).toHaveLength(12);
    sched.advance(2_000);
    const ms = link.meters();
    expect(ms.filter((m) => m.replayed)).toHaveLength(30);
    expect(ms.map((m) => m.seq)).toEqual(ms.map((_, i) => i));
    expect(ms.slice(3, 33).every((m) => m.replayed)).toBe(true);
    expect(ms.slice(33).every((m) => m.replayed === undefined)).toBe(true);
    expect(station.counters.replayed).toBe(30);
  });

  it('opens at the offline energy cap with reason offlineCap, and the end reaches the backend on reconnect', () => {
    const { sched, link, station } = rig({ preset: 'breaker-200v-6kw' });
    station.handleCommand(cmd(sched.now(), 'close', 's1', { limits: { offlineMaxWh: 200, offlineMaxSec: 3_600 } }));
    sched.advance(60_000); // 100 Wh online
    link.online = false;
    station.onLinkDown();
    sched.advance(600_000);
    expect(station.cp.breaker).toBe('open');
    expect(station.registerWh).toBe(300);
    expect(link.sessionEnds()).toEqual([]);
    link.online = true;
    station.onLinkUp();
    sched.advance(10_000);
    const [end] = link.sessionEnds();
    expect(end).toMatchObject({ reason: 'offlineCap', startRegisterWh: 0, stopRegisterWh: 300 });
    expect(Date.parse(end!.endedAt) - Date.parse(end!.startedAt)).toBe(180_000);
  });

  it('opens at the offline time cap even when the energy cap is far away', () => {
    const { sched, link, station } = rig({ preset: 'breaker-100v-1.5kw', offlineCap: { maxWh: 100_000, maxSec: 120 } });
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    link.online = false;
    station.onLinkDown();
    sched.advance(121_000);
    expect(station.cp.breaker).toBe('open');
    expect(station.registerWh).toBe(50);
  });

  it('answers an open that waited out its offline cap with the end it recorded, not the time it arrived', () => {
    const { sched, link, station } = rig({ preset: 'breaker-100v-1.5kw', offlineCap: { maxWh: 100_000, maxSec: 120 } });
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    link.online = false;
    station.onLinkDown();
    sched.advance(30 * 60_000); // the cap ends it 2 min in; the driver's stop waits in the queue for 30 min
    link.online = true;
    station.onLinkUp();
    const open = cmd(sched.now(), 'open', 's1', { cmdId: 'stop-1' });
    station.handleCommand(open);
    sched.advance(10_000);
    const [end] = link.sessionEnds();
    const ack = link.acks().find((a) => a.cmdId === 'stop-1');
    expect(end).toMatchObject({ reason: 'offlineCap', stopRegisterWh: 50 });
    expect(ack).toMatchObject({ cmdId: 'stop-1', action: 'open', ok: true, reason: 'sessionEnded', breaker: 'open' });
    expect(ack?.ended).toEqual({ stopRegisterWh: end?.stopRegisterWh, endedAt: end?.endedAt, reason: 'offlineCap' });
    expect(Date.parse(ack?.at ?? '') - Date.parse(end?.endedAt ?? '')).toBe(28 * 60_000);
    // The watchdog's re-send gets the same answer; nothing restarts or ends twice.
    station.handleCommand(open);
    expect(link.acks().filter((a) => a.cmdId === 'stop-1')).toEqual([ack, ack]);
    expect(link.sessionEnds()).toHaveLength(1);
  });

  it('still answers an open for a session it ended, while it serves the next one, without touching that one', () => {
    const { sched, link, station } = rig();
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    sched.advance(60_000);
    station.unplugEv();
    station.plugEv(new EvBattery({ capacityWh: 40_000, socPct: 50, maxAcceptW: 6_600 }));
    station.handleCommand(cmd(sched.now(), 'close', 's2'));
    station.handleCommand(cmd(sched.now(), 'open', 's1'));
    expect(link.acks().at(-1)).toMatchObject({
      sessionId: 's1',
      ok: true,
      reason: 'sessionEnded',
      breaker: 'closed',
      ended: { stopRegisterWh: 50, reason: 'evDisconnected' },
    });
    expect(station.sessionId).toBe('s2');
  });

  it('adds nothing to the ack of an open that ends a running session, or finds nothing to open', () => {
    const { sched, link, station } = rig();
    station.handleCommand(cmd(sched.now(), 'open', 's0'));
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    station.handleCommand(cmd(sched.now(), 'open', 's1'));
    for (const ack of link.acks()) {
      expect(ack.ended).toBeUndefined();
      expect(ack.reason).toBeUndefined();
    }
  });
});

describe('power loss', () => {
  it('ends a session interrupted by a reboot with reason powerLoss and the register at the loss', () => {
    const { sched, link, station } = rig();
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    sched.advance(1_200_000); // 1 kWh at 3 kW
    link.online = false;
    station.powerLoss();
    station.onLinkDown();
    expect(station.cp.breaker).toBe('open');
    sched.advance(600_000);
    expect(station.registerWh).toBe(1_000);
    station.boot();
    link.online = true;
    station.onLinkUp();
    sched.advance(1_000);
    const evs = link.events();
    expect(evs.map((e) => e.event)).toEqual(expect.arrayContaining(['boot', 'session_end']));
    const [end] = link.sessionEnds();
    expect(end).toMatchObject({ sessionId: 's1', reason: 'powerLoss', startRegisterWh: 0, stopRegisterWh: 1_000 });
    expect(end?.endedAt).toBe('2026-11-22T00:20:00.000Z');
    expect(station.sessionId).toBeNull();
  });

  it('meters nothing while dark, even through welded contacts, and still closes the session on boot', () => {
    const { sched, link, station } = rig();
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    station.setBreakerFault('welded');
    sched.advance(60_000);
    station.powerLoss();
    sched.advance(600_000);
    station.boot();
    expect(link.sessionEnds()[0]).toMatchObject({ reason: 'powerLoss', stopRegisterWh: 50 });
    expect(link.faults().map((f) => f.code)).toEqual(['breakerWelded']);
    expect(station.cp.breaker).toBe('closed');
  });

  it('does not answer commands while dark', () => {
    const { sched, link, station } = rig();
    station.powerLoss();
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    expect(link.acks()).toEqual([]);
  });
});

describe('EV and breaker faults', () => {
  it('ends the session with evDisconnected when the EV is unplugged', () => {
    const { sched, link, station } = rig();
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    sched.advance(60_000);
    station.unplugEv();
    expect(link.sessionEnds()[0]).toMatchObject({ reason: 'evDisconnected', stopRegisterWh: 50 });
    const pilots = link.events().flatMap((e) => (e.event === 'pilot' ? [e.pilot] : []));
    expect(pilots).toEqual(['C', 'A']);
  });

  it('trips open with a fault event and session end reason fault', () => {
    const { sched, link, station } = rig();
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    station.trip();
    expect(link.faults()[0]).toMatchObject({ code: 'tripped', sessionId: 's1' });
    expect(link.sessionEnds()[0]).toMatchObject({ reason: 'fault' });
    expect(station.cp.breaker).toBe('open');
  });

  it('reports a breaker that fails to close and never claims it closed', () => {
    const { sched, link, station } = rig();
    station.setBreakerFault('failToClose');
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    expect(link.acks()[0]).toMatchObject({ ok: false, reason: 'breakerFailed', breaker: 'open' });
    expect(link.faults()[0]).toMatchObject({ code: 'breakerFailedToClose' });
    expect(station.sessionId).toBeNull();
  });

  it('keeps metering through welded contacts, refusing the open and raising breakerWelded', () => {
    const { sched, link, station } = rig();
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    station.setBreakerFault('welded');
    station.handleCommand(cmd(sched.now(), 'open', 's1'));
    expect(link.acks()[1]).toMatchObject({ ok: false, reason: 'breakerWelded', breaker: 'closed' });
    expect(link.faults()[0]).toMatchObject({ code: 'breakerWelded' });
    sched.advance(1_200_000);
    expect(station.registerWh).toBe(1_000);
    station.setBreakerFault('none');
    station.handleCommand(cmd(sched.now(), 'open', 's1'));
    expect(link.sessionEnds()[0]).toMatchObject({ reason: 'remote', stopRegisterWh: 1_000 });
  });
});

describe('meter faults', () => {
  it('reports resets, backward steps and serial swaps; a rollover wraps silently', () => {
    const { sched, link, station } = rig({ meter: { startWh: 5_000, rolloverWh: 1_000_000 } });
    station.meterFault('backwards', 300);
    expect(station.registerWh).toBe(4_700);
    station.meterFault('reset');
    expect(station.registerWh).toBe(0);
    station.meterFault('swap');
    expect(link.faults().map((f) => f.code)).toEqual(['meterBackwards', 'meterReset', 'meterReset']);
    expect(link.faults()[2]?.detail).toMatch(/serial swap/);
    station.meterFault('rollover');
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    sched.advance(60_000);
    expect(station.registerWh).toBe(45);
    expect(link.faults()).toHaveLength(3);
  });
});

describe('ack faults', () => {
  it('drops acks but still answers the retry from the cache', () => {
    const { sched, link, station } = rig();
    station.ackFaults = { dropP: 1 };
    const c = cmd(sched.now(), 'close', 's1');
    station.handleCommand(c);
    expect(link.acks()).toEqual([]);
    station.ackFaults = {};
    station.handleCommand(c);
    expect(link.acks()).toEqual([expect.objectContaining({ ok: true, breaker: 'closed' })]);
  });

  it('duplicates and delays acks', () => {
    const { sched, link, station } = rig();
    station.ackFaults = { duplicateP: 1 };
    station.handleCommand(cmd(sched.now(), 'close', 's1'));
    expect(link.acks()).toHaveLength(2);
    station.ackFaults = { delayP: 1, delayMs: 5_000 };
    station.handleCommand(cmd(sched.now(), 'open', 's1'));
    expect(link.acks()).toHaveLength(2);
    sched.advance(5_000);
    expect(link.acks()[2]).toMatchObject({ action: 'open', ok: true });
  });
});
