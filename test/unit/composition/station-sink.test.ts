import { describe, expect, it } from 'vitest';
import type { Ack, MeterReport, SessionEnd } from '../../../contracts/station-protocol.js';
import { MemoryAlerts } from '../../../functions/src/adapters/memory/memory-alerts.js';
import { MemoryLogger } from '../../../functions/src/adapters/memory/memory-logger.js';
import { makeStationSink } from '../../../functions/src/composition/station-sink.js';
import { DomainError } from '../../../functions/src/domain/errors.js';
import { err, ok } from '../../../functions/src/domain/result.js';
import type { InboundMeta } from '../../../functions/src/handlers/station-event-sink.js';
import type { BreakerAckInput } from '../../../functions/src/use-cases/breaker-acked.js';
import type { MeterReading } from '../../../functions/src/use-cases/meter-reported.js';
import type { SessionEndInput } from '../../../functions/src/use-cases/session-ended-by-station.js';
import type { PresenceSignal } from '../../../functions/src/use-cases/station-presence.js';
import { harness, value } from '../use-cases/harness.js';

const AT = '2026-03-01T09:00:05.000Z';
const META: InboundMeta = { topic: 'ev/v1/st/TKY-001/x', receivedAtMs: Date.parse(AT), receivedAt: AT };
const ACK: Ack = {
  v: 1,
  cmdId: 'cmd-1',
  sessionId: 'ses-1',
  action: 'close',
  ok: false,
  reason: 'busy',
  breaker: 'open',
  registerWh: 1_000,
  at: AT,
};
const METER: MeterReport = {
  v: 1,
  seq: 7,
  at: AT,
  registerWh: 1_050,
  powerW: 2_990,
  voltageV: 200,
  breaker: 'closed',
  sessionId: 'ses-1',
};
const END: SessionEnd = {
  v: 1,
  event: 'session_end',
  sessionId: 'ses-1',
  startRegisterWh: 1_000,
  stopRegisterWh: 1_500,
  startedAt: '2026-03-01T08:00:00.000Z',
  endedAt: AT,
  reason: 'evDisconnected',
  at: AT,
};

/** Use-cases that record their input and answer what the test says. */
function recording(refuse = false) {
  const calls: { ack: BreakerAckInput[]; meter: MeterReading[]; end: SessionEndInput[]; presence: unknown[] } = {
    ack: [],
    meter: [],
    end: [],
    presence: [],
  };
  const no = new DomainError('SESSION.ILLEGAL_TRANSITION', 'ack for a session that moved on', { sessionId: 'ses-1' });
  const logger = new MemoryLogger();
  const alerts = new MemoryAlerts();
  const sink = makeStationSink({
    useCases: {
      breakerAcked: async (a) => {
        calls.ack.push(a);
        return refuse ? err(no) : ok({ outcome: 'applied' });
      },
      meterReported: async (m) => {
        calls.meter.push(m);
        return refuse ? err(no) : ok({ published: true, stopped: false });
      },
      sessionEndedByStation: async (e) => {
        calls.end.push(e);
        return refuse ? err(no) : ok({ outcome: 'applied' });
      },
    },
    presence: {
      apply: async (stationId: string, signal: PresenceSignal) => {
        calls.presence.push([stationId, signal]);
        return 'changed';
      },
    },
    alerts,
    logger,
  });
  return { sink, calls, logger, alerts };
}

describe('station sink (composition)', () => {
  it('hands an ack to breakerAcked with the station id and every field the use-case reads', async () => {
    const { sink, calls } = recording();
    await sink.ack('TKY-001', ACK, META);
    expect(calls.ack).toEqual([
      {
        stationId: 'TKY-001',
        cmdId: 'cmd-1',
        sessionId: 'ses-1',
        action: 'close',
        ok: false,
        reason: 'busy',
        breaker: 'open',
        registerWh: 1_000,
        at: AT,
      },
    ]);
    expect(calls.meter).toEqual([]);
  });

  it('hands on the end an open ack carries for a session the station had already ended', async () => {
    const { sink, calls } = recording();
    const ended = { stopRegisterWh: 1_200, endedAt: AT, reason: 'offlineCap' as const };
    await sink.ack('TKY-001', { ...ACK, action: 'open', ok: true, reason: 'sessionEnded', ended }, META);
    expect(calls.ack).toEqual([expect.objectContaining({ action: 'open', ok: true, reason: 'sessionEnded', ended })]);
  });

  it('hands a meter report to meterReported (without the fields billing never uses)', async () => {
    const { sink, calls } = recording();
    await sink.meter('TKY-001', METER, META);
    expect(calls.meter).toEqual([
      { stationId: 'TKY-001', sessionId: 'ses-1', seq: 7, at: AT, registerWh: 1_050, powerW: 2_990 },
    ]);
  });

  it('hands session_end to sessionEndedByStation with both registers and the reason', async () => {
    const { sink, calls } = recording();
    await sink.sessionEnd('TKY-001', END, META);
    expect(calls.end).toEqual([
      {
        stationId: 'TKY-001',
        sessionId: 'ses-1',
        startRegisterWh: 1_000,
        stopRegisterWh: 1_500,
        startedAt: END.startedAt,
        endedAt: AT,
        reason: 'evDisconnected',
      },
    ]);
  });

  it('hands conn/state signals to station presence', async () => {
    const { sink, calls } = recording();
    const signal: PresenceSignal = { kind: 'conn', online: false, receivedAt: AT };
    await sink.presence('TKY-001', signal, META);
    expect(calls.presence).toEqual([['TKY-001', signal]]);
  });

  it('raises an operator alert for a station fault', async () => {
    const { sink, alerts } = recording();
    await sink.fault('TKY-001', { v: 1, event: 'fault', code: 'breakerWelded', sessionId: 'ses-1', at: AT }, META);
    await sink.fault(
      'TKY-002',
      { v: 1, event: 'fault', code: 'tripped', sessionId: null, detail: 'RCD trip', at: AT },
      META,
    );
    expect(alerts.raised).toEqual([
      { code: 'STATION_FAULT_breakerWelded', stationId: 'TKY-001', sessionId: 'ses-1', detail: 'breakerWelded' },
      { code: 'STATION_FAULT_tripped', stationId: 'TKY-002', sessionId: undefined, detail: 'RCD trip' },
    ]);
  });

  it('logs pilot changes and boots without touching any session', async () => {
    const { sink, calls, logger } = recording();
    await sink.pilot('TKY-001', { v: 1, event: 'pilot', pilot: 'C', sessionId: 'ses-1', at: AT }, META);
    await sink.boot('TKY-001', { v: 1, event: 'boot', fw: '1.2.0', registerWh: 9_000, at: AT }, META);
    expect(logger.records).toEqual([
      { level: 'debug', msg: 'pilot state', fields: { stationId: 'TKY-001', pilot: 'C', sessionId: 'ses-1' } },
      { level: 'info', msg: 'station booted', fields: { stationId: 'TKY-001', fw: '1.2.0', registerWh: 9_000 } },
    ]);
    expect([...calls.ack, ...calls.meter, ...calls.end]).toEqual([]);
  });

  it('logs expected refusals as warnings and resolves (a redelivery could not change them)', async () => {
    const { sink, logger } = recording(true);
    await expect(sink.ack('TKY-001', ACK, META)).resolves.toBeUndefined();
    await expect(sink.meter('TKY-001', METER, META)).resolves.toBeUndefined();
    await expect(sink.sessionEnd('TKY-001', END, META)).resolves.toBeUndefined();
    expect(logger.at('warn')).toEqual([
      {
        level: 'warn',
        msg: 'ack refused',
        fields: {
          stationId: 'TKY-001',
          cmdId: 'cmd-1',
          code: 'SESSION.ILLEGAL_TRANSITION',
          message: 'ack for a session that moved on',
        },
      },
      expect.objectContaining({ msg: 'meter refused', fields: expect.objectContaining({ seq: 7 }) }),
      expect.objectContaining({ msg: 'session_end refused', fields: expect.objectContaining({ sessionId: 'ses-1' }) }),
    ]);
  });

  it('applies the presence signals of one station in arrival order, even when the first is slower', async () => {
    const log: string[] = [];
    let releaseFirst: () => void = () => {};
    const firstHeld = new Promise<void>((r) => {
      releaseFirst = r;
    });
    const sink = makeStationSink({
      useCases: {
        breakerAcked: async () => ok({ outcome: 'noop' }),
        meterReported: async () => ok({ published: false, stopped: false }),
        sessionEndedByStation: async () => ok({ outcome: 'noop' }),
      },
      presence: {
        apply: async (stationId, signal) => {
          const tag = `${stationId}:${signal.kind === 'state' ? signal.breaker : signal.online}`;
          log.push(`start ${tag}`);
          if (tag === 'A:closed') await firstHeld;
          log.push(`end ${tag}`);
          return 'changed';
        },
      },
      alerts: new MemoryAlerts(),
      logger: new MemoryLogger(),
    });
    const state = (breaker: 'open' | 'closed'): PresenceSignal => ({
      kind: 'state',
      breaker,
      sessionId: null,
      receivedAt: AT,
    });
    const first = sink.presence('A', state('closed'), META);
    const second = sink.presence('A', state('open'), META);
    const other = sink.presence('B', state('open'), META);
    await other; // another station is not held up
    releaseFirst();
    await Promise.all([first, second]);
    expect(log).toEqual(['start A:closed', 'start B:open', 'end B:open', 'end A:closed', 'start A:open', 'end A:open']);
  });

  it("lets a station's ack commit first, then applies its state (a hung ack delays the state only briefly)", async () => {
    const log: string[] = [];
    let releaseAck: () => void = () => {};
    const ackHeld = new Promise<void>((r) => {
      releaseAck = r;
    });
    const sink = makeStationSink({
      useCases: {
        breakerAcked: async (a) => {
          log.push(`start ack ${a.stationId}`);
          if (a.stationId === 'A') await ackHeld;
          if (a.stationId === 'H') await new Promise<never>(() => {}); // never returns (a dead invocation)
          log.push(`end ack ${a.stationId}`);
          return ok({ outcome: 'applied' });
        },
        meterReported: async () => ok({ published: false, stopped: false }),
        sessionEndedByStation: async () => ok({ outcome: 'noop' }),
      },
      presence: {
        apply: async (stationId) => {
          log.push(`state ${stationId}`);
          return 'changed';
        },
      },
      alerts: new MemoryAlerts(),
      logger: new MemoryLogger(),
      presenceYieldMs: 50,
    });
    const closed: PresenceSignal = { kind: 'state', breaker: 'closed', sessionId: 'ses-1', receivedAt: AT };
    const ack = sink.ack('A', ACK, META);
    const state = sink.presence('A', closed, META);
    await sink.presence('B', closed, META); // another station does not wait
    expect(log).toEqual(['start ack A', 'state B']);
    releaseAck();
    await Promise.all([ack, state]);
    expect(log).toEqual(['start ack A', 'state B', 'end ack A', 'state A']);

    void sink.ack('H', ACK, META);
    const started = Date.now();
    await sink.presence('H', closed, META);
    expect(log.slice(-2)).toEqual(['start ack H', 'state H']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('lets an unexpected failure propagate so the platform redelivers the message', async () => {
    const logger = new MemoryLogger();
    const sink = makeStationSink({
      useCases: {
        breakerAcked: async () => {
          throw new Error('store down');
        },
        meterReported: async () => ok({ published: false, stopped: false }),
        sessionEndedByStation: async () => ok({ outcome: 'noop' }),
      },
      presence: { apply: async () => 'unchanged' },
      alerts: new MemoryAlerts(),
      logger,
    });
    await expect(sink.ack('TKY-001', ACK, META)).rejects.toThrow('store down');
  });

  it('moves a real session: an ok close ack through the sink makes it CHARGING', async () => {
    const h = harness();
    await h.addStation('TKY-001');
    await h.driverWithCard('drv-1');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv-1', stationId: 'TKY-001', startKey: 'k1' }));
    const cmd = h.lastCommand(session.id, 'close');
    const sink = makeStationSink({
      useCases: h.uc,
      presence: { apply: async () => 'unchanged' },
      alerts: h.alerts,
      logger: h.logger,
    });
    await sink.ack(
      'TKY-001',
      { ...ACK, cmdId: cmd.cmdId, sessionId: session.id, ok: true, reason: undefined, breaker: 'closed' },
      META,
    );
    expect(await h.sessions.get(session.id)).toMatchObject({ state: 'CHARGING', startRegisterWh: 1_000 });
    expect(h.logger.at('warn')).toEqual([]);
  });
});
