import { describe, expect, it } from 'vitest';
import { SessionMemo } from '../../../functions/src/adapters/session-memo.js';
import type { Session } from '../../../functions/src/domain/session.js';

function aSession(id: string, version: number, state: Session['state'] = 'CHARGING'): Session {
  return {
    id,
    driverId: 'drv-1',
    stationId: 'TKY-001',
    startKey: 'k1',
    state,
    version,
    tariff: { milliYenPerKwh: 55_500, sessionFeeYen: 0, milliYenPerMinute: 0 },
    createdAt: '2026-03-01T09:00:00.000Z',
    updatedAt: '2026-03-01T09:00:00.000Z',
  };
}

describe('SessionMemo', () => {
  it('recalls the newest version it was given, never an older one that answered later', () => {
    const memo = new SessionMemo();
    memo.remember(aSession('s1', 3));
    memo.remember(aSession('s1', 2, 'ENERGIZING'));
    expect(memo.recall('s1')).toEqual(aSession('s1', 3));
    memo.remember(aSession('s1', 4, 'STOPPING'));
    expect(memo.recall('s1')?.version).toBe(4);
  });

  it('forgets on request and once a session has ended', () => {
    const memo = new SessionMemo();
    memo.remember(aSession('s1', 1));
    memo.forget('s1');
    expect(memo.recall('s1')).toBeUndefined();
    memo.remember(aSession('s2', 5));
    memo.remember(aSession('s2', 6, 'PAID'));
    expect(memo.recall('s2')).toBeUndefined();
    expect(memo.size).toBe(0);
  });

  it('holds at most its capacity, dropping the least recently stored', () => {
    const memo = new SessionMemo(2);
    memo.remember(aSession('a', 1));
    memo.remember(aSession('b', 1));
    memo.remember(aSession('a', 2));
    memo.remember(aSession('c', 1));
    expect(memo.size).toBe(2);
    expect(memo.recall('b')).toBeUndefined();
    expect(memo.recall('a')?.version).toBe(2);
    expect(memo.recall('c')?.version).toBe(1);
    expect(() => new SessionMemo(0)).toThrow(RangeError);
  });

  it('hands out copies: a caller changing one changes nothing remembered', () => {
    const memo = new SessionMemo();
    const s = aSession('s1', 1);
    memo.remember(s);
    s.state = 'PAID';
    const recalled = memo.recall('s1');
    if (!recalled) throw new Error('not remembered');
    recalled.tariff.milliYenPerKwh = 1;
    expect(memo.recall('s1')).toEqual(aSession('s1', 1));
  });
});
