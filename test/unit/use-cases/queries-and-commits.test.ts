import { describe, expect, it } from 'vitest';
import { newDriver } from '../../../functions/src/domain/driver-effects.js';
import type { SessionChange } from '../../../functions/src/ports/session-repository.port.js';
import { transition } from '../../../functions/src/use-cases/session-commit.js';
import { errorCode, harness, T0, value } from './harness.js';

async function withSession() {
  const h = harness();
  await h.addStation('st_1');
  await h.driverWithCard('drv_1');
  const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' }));
  return { h, id: session.id };
}

describe('getSession / getSessionLedger', () => {
  it('shows a session and its ledger to its owner and operators only', async () => {
    const { h, id } = await withSession();
    expect(value(await h.uc.getSession({ driverId: 'drv_1', sessionId: id })).id).toBe(id);
    expect(errorCode(await h.uc.getSession({ driverId: 'drv_2', sessionId: id }))).toBe('SESSION.NOT_YOURS');
    expect(value(await h.uc.getSession({ driverId: 'op', sessionId: id, operator: true })).id).toBe(id);
    expect(errorCode(await h.uc.getSession({ driverId: 'drv_1', sessionId: 'nope' }))).toBe('SESSION.NOT_FOUND');
    expect(value(await h.uc.getSessionLedger({ driverId: 'drv_1', sessionId: id })).map((e) => e.to)).toEqual([
      'ENERGIZING',
    ]);
    expect(errorCode(await h.uc.getSessionLedger({ driverId: 'drv_2', sessionId: id }))).toBe('SESSION.NOT_YOURS');
  });
});

describe('listMySessions', () => {
  it('pages through the caller’s own sessions, newest first', async () => {
    const h = harness();
    await h.driverWithCard('drv_1');
    for (const n of [1, 2, 3]) {
      await h.addStation(`st_${n}`);
      value(await h.uc.startCharge({ driverId: 'drv_1', stationId: `st_${n}`, startKey: `k${n}` }));
      h.clock.advance(1_000);
    }
    const first = value(await h.uc.listMySessions({ driverId: 'drv_1', limit: 2 }));
    expect(first.items.map((s) => s.stationId)).toEqual(['st_3', 'st_2']);
    const second = value(await h.uc.listMySessions({ driverId: 'drv_1', limit: 2, nextToken: first.nextToken }));
    expect(second).toEqual({ items: [expect.objectContaining({ stationId: 'st_1' })] });
    expect(value(await h.uc.listMySessions({ driverId: 'drv_2' })).items).toEqual([]);
    expect(errorCode(await h.uc.listMySessions({ driverId: 'drv_1', limit: 0 }))).toBe('VALIDATION');
    expect(errorCode(await h.uc.listMySessions({ driverId: 'drv_1', limit: 101 }))).toBe('VALIDATION');
  });
});

describe('getMe', () => {
  it('shows a new driver before any row exists, and balance, card and what is outstanding after', async () => {
    const h = harness();
    expect(value(await h.uc.getMe({ driverId: 'drv_x', email: 'x@y.jp' }))).toEqual({
      id: 'drv_x',
      email: 'x@y.jp',
      balanceYen: 0,
      hasCard: false,
      blocked: false,
      outstandingYen: 0,
    });
    await h.driverWithCard('drv_1');
    expect(value(await h.uc.getMe({ driverId: 'drv_1' }))).toMatchObject({
      hasCard: true,
      cardLast4: '4242',
      outstandingYen: 0,
    });
    h.drivers.put({ ...newDriver('drv_2', T0), balanceYen: 12, blocked: true, blockedBySessionId: 'gone' });
    expect(value(await h.uc.getMe({ driverId: 'drv_2' }))).toMatchObject({
      balanceYen: 12,
      blocked: true,
      outstandingYen: 0,
    });
  });
});

describe('listStations', () => {
  it('gives each station its status and why it cannot be used, without revealing who holds it', async () => {
    const { h } = await withSession();
    await h.addStation('st_off', { online: false });
    await h.addStation('st_bad', { fault: 'tripped' });
    await h.addStation('st_free');
    const views = value(await h.uc.listStations());
    expect(views.map((v) => [v.id, v.status, v.unavailableReason])).toEqual([
      ['st_1', 'CHARGING', 'in use'],
      ['st_bad', 'FAULT', 'fault: tripped'],
      ['st_free', 'AVAILABLE', undefined],
      ['st_off', 'OFFLINE', 'station is offline'],
    ]);
    expect(views.some((v) => 'activeSessionId' in v)).toBe(false);
  });
});

describe('transition (version-checked commits)', () => {
  it('re-reads and re-applies when another writer moved the session meanwhile', async () => {
    const { h, id } = await withSession();
    let interfered = false;
    h.sessions.beforeCommit = async () => {
      if (interfered) return;
      interfered = true;
      h.sessions.beforeCommit = undefined;
      // A competing writer (a duplicate close ack on another instance) lands first.
      await h.ackClose(id, 10_000);
    };
    const r = await transition(h.deps, id, {
      type: 'BreakerClosed',
      cmdId: h.lastCommand(id, 'close').cmdId,
      registerWh: 10_000,
      at: h.clock.iso(),
    });
    expect(r.kind).toBe('noop');
    expect(h.sessions.conflicts).toBe(1);
    expect((await h.sessions.ledger(id)).filter((e) => e.cause === 'BreakerClosed')).toHaveLength(1);
  });

  it('throws after a bounded number of conflicting attempts', async () => {
    const { h, id } = await withSession();
    // Every commit finds that another writer bumped the version just before it.
    const interfere = async (change: SessionChange) => {
      h.sessions.beforeCommit = undefined;
      const current = await h.sessions.get(change.session.id);
      if (current) {
        const bumped = { ...current, version: current.version + 1 };
        await h.sessions.commit({ session: bumped, expectedVersion: current.version, entries: [] });
      }
      h.sessions.beforeCommit = interfere;
    };
    h.sessions.beforeCommit = interfere;
    await expect(transition(h.deps, id, { type: 'StartTimedOut', reason: 'ackTimeout' })).rejects.toThrow(
      /kept conflicting after 5 attempts/,
    );
  });

  it('reports a missing session', async () => {
    const h = harness();
    expect(await transition(h.deps, 'nope', { type: 'StartTimedOut', reason: 'ackTimeout' })).toEqual({
      kind: 'missing',
    });
  });
});
