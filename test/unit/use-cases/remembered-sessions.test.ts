/**
 * A process steps a session on from what it last stored (`sessions.peek`) instead of reading it back.
 * In the cloud, other Lambdas move the same sessions, so what one remembers can be behind. These
 * tests run a second process over the same store (its own memory) and check that a remembered state
 * never decides anything the stored one would not: a stale transition loses its commit and is
 * retried on the stored row, and "nothing to do" is only concluded from the stored row.
 */
import { describe, expect, it } from 'vitest';
import { makeUseCases } from '../../../functions/src/use-cases/index.js';
import { harness, T0, value } from './harness.js';

async function charging() {
  const h = harness();
  await h.addStation('TKY-001');
  await h.driverWithCard('drv-1');
  h.payments.scriptCharges('processing');
  const other = makeUseCases({ ...h.deps, sessions: h.sessions.anotherProcess() });
  const { session } = value(await h.uc.startCharge({ driverId: 'drv-1', stationId: 'TKY-001', startKey: 'k1' }));
  return { h, other, id: session.id };
}

describe('a session another process moved on', () => {
  it('a close ack applied elsewhere: the remembered ENERGIZING loses its commit, and the repeat is a no-op', async () => {
    const { h, other, id } = await charging();
    const cmd = h.lastCommand(id, 'close');
    const ack = {
      stationId: 'TKY-001',
      cmdId: cmd.cmdId,
      sessionId: id,
      action: 'close' as const,
      ok: true,
      breaker: 'closed' as const,
      registerWh: 10_000,
      at: T0,
    };
    expect(value(await other.breakerAcked(ack)).outcome).toBe('applied');
    const conflicts = h.sessions.conflicts;

    const again = value(await h.uc.breakerAcked(ack));
    expect(again).toMatchObject({ outcome: 'noop', session: { state: 'CHARGING', startRegisterWh: 10_000 } });
    expect(h.sessions.conflicts).toBe(conflicts + 1);
    expect((await h.sessions.ledger(id)).filter((e) => e.cause === 'BreakerClosed')).toHaveLength(1);
  });

  it('an open ack after a stop made elsewhere: the remembered CHARGING would refuse it, the stored STOPPING meters it', async () => {
    const { h, other, id } = await charging();
    value(await h.ackClose(id, 10_000));
    expect((await h.sessions.peek(id))?.session.state).toBe('CHARGING');
    expect(value(await other.stopCharge({ driverId: 'drv-1', sessionId: id })).state).toBe('STOPPING');
    const reads = h.sessions.reads;

    const metered = value(await h.ackOpen(id, 12_000));
    expect(metered).toMatchObject({ outcome: 'applied', session: { state: 'PAYMENT_PENDING', energyWh: 2_000 } });
    expect(h.sessions.reads).toBe(reads + 1);
    expect((await h.sessions.ledger(id)).map((e) => e.to)).toEqual([
      'ENERGIZING',
      'CHARGING',
      'STOPPING',
      'METERED',
      'PAYMENT_PENDING',
      'PAYMENT_PENDING',
    ]);
  });

  it('a stop on a session the station already ended elsewhere: no open command, the stored state answered', async () => {
    const { h, other, id } = await charging();
    value(await h.ackClose(id, 10_000));
    const ended = await other.sessionEndedByStation({
      stationId: 'TKY-001',
      sessionId: id,
      startRegisterWh: 10_000,
      stopRegisterWh: 11_000,
      startedAt: T0,
      endedAt: T0,
      reason: 'evDisconnected',
    });
    expect(value(ended).session?.state).toBe('PAYMENT_PENDING');
    const opens = h.breaker.commandsFor(id).filter((c) => c.action === 'open').length;

    const stopped = value(await h.uc.stopCharge({ driverId: 'drv-1', sessionId: id }));
    expect(stopped.state).toBe('PAYMENT_PENDING');
    expect(h.breaker.commandsFor(id).filter((c) => c.action === 'open')).toHaveLength(opens);
    expect((await h.sessions.ledger(id)).filter((e) => e.to === 'STOPPING')).toEqual([]);
  });

  it('another driver cannot stop it, whatever this process remembers', async () => {
    const { h, id } = await charging();
    const refused = await h.uc.stopCharge({ driverId: 'drv-2', sessionId: id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'SESSION.NOT_YOURS' } });
    expect((await h.sessions.get(id))?.state).toBe('ENERGIZING');
  });
});
