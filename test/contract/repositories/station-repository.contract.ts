import { beforeEach, describe, expect, it } from 'vitest';
import type { Repositories } from './backends.js';
import { aStation, at } from './fixtures.js';

/** What every StationRepository must do (run against the fake and DynamoDB Local). */
export function stationRepositoryContract(make: () => Promise<Repositories>): void {
  let repos: Repositories;
  beforeEach(async () => {
    repos = await make();
  });

  describe('put, get and list', () => {
    it('stores, replaces and lists stations by id', async () => {
      const b = aStation({ id: 'st_b', model: 'mode3', ratedW: 6_000, fault: 'E42', powerW: 0, lastSeenAt: at(1) });
      const a = aStation({ id: 'st_a' });
      await repos.stations.put(b);
      await repos.stations.put(a);
      expect(await repos.stations.get('st_b')).toEqual(b);
      const renamed = { ...a, name: 'Lot A #9' };
      await repos.stations.put(renamed);
      expect(await repos.stations.list()).toEqual([renamed, b]);
      expect(await repos.stations.get('st_unknown')).toBeUndefined();
    });
  });

  describe('claim', () => {
    it('binds a free station to the session', async () => {
      const s = aStation();
      await repos.stations.put(s);
      expect(await repos.stations.claim(s.id, 'ses_1', at(1))).toBe(true);
      expect(await repos.stations.get(s.id)).toEqual({ ...s, activeSessionId: 'ses_1', updatedAt: at(1) });
    });

    it('refuses a station bound to another session', async () => {
      const s = aStation({ activeSessionId: 'ses_1' });
      await repos.stations.put(s);
      expect(await repos.stations.claim(s.id, 'ses_2', at(1))).toBe(false);
      expect(await repos.stations.get(s.id)).toEqual(s);
    });

    it('succeeds again for the session that already holds it (a retried start)', async () => {
      const s = aStation();
      await repos.stations.put(s);
      await repos.stations.claim(s.id, 'ses_1', at(1));
      expect(await repos.stations.claim(s.id, 'ses_1', at(2))).toBe(true);
      expect((await repos.stations.get(s.id))?.activeSessionId).toBe('ses_1');
    });

    it('refuses an unknown station without creating it', async () => {
      expect(await repos.stations.claim('st_ghost', 'ses_1', at(1))).toBe(false);
      expect(await repos.stations.get('st_ghost')).toBeUndefined();
    });

    it('lets exactly one of two racing claims win', async () => {
      const s = aStation();
      await repos.stations.put(s);
      const [first, second] = await Promise.all([
        repos.stations.claim(s.id, 'ses_1', at(1)),
        repos.stations.claim(s.id, 'ses_2', at(1)),
      ]);
      expect([first, second].filter(Boolean)).toHaveLength(1);
      expect((await repos.stations.get(s.id))?.activeSessionId).toBe(first ? 'ses_1' : 'ses_2');
    });

    it('lets exactly one of 10 racing claims win', async () => {
      const s = aStation();
      await repos.stations.put(s);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => repos.stations.claim(s.id, `ses_${i}`, at(1))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await repos.stations.get(s.id))?.activeSessionId).toBe(`ses_${results.indexOf(true)}`);
    });
  });

  describe('release', () => {
    it('frees the station for the session that holds it, so another can claim it', async () => {
      const s = aStation({ activeSessionId: 'ses_1' });
      await repos.stations.put(s);
      const { activeSessionId: _freed, ...free } = s;
      // The freed station is returned as stored, so the caller can publish it without reading it again.
      expect(await repos.stations.release(s.id, 'ses_1', at(2))).toEqual({ ...free, updatedAt: at(2) });
      expect(await repos.stations.get(s.id)).toEqual({ ...free, updatedAt: at(2) });
      expect(await repos.stations.claim(s.id, 'ses_2', at(3))).toBe(true);
    });

    it('never frees a station bound to a newer session (a late release)', async () => {
      const s = aStation({ activeSessionId: 'ses_2' });
      await repos.stations.put(s);
      expect(await repos.stations.release(s.id, 'ses_1', at(2))).toBeUndefined();
      expect(await repos.stations.get(s.id)).toEqual(s);
    });

    it('returns nothing for a free or unknown station', async () => {
      const s = aStation();
      await repos.stations.put(s);
      expect(await repos.stations.release(s.id, 'ses_1', at(2))).toBeUndefined();
      expect(await repos.stations.release('st_ghost', 'ses_1', at(2))).toBeUndefined();
    });
  });

  describe('updatePresence', () => {
    it('changes only the given fields and the update time', async () => {
      const s = aStation({ activeSessionId: 'ses_1', fault: 'E42' });
      await repos.stations.put(s);
      const before = await repos.stations.updatePresence(
        s.id,
        { online: false, breaker: 'closed', powerW: 2_950, lastSeenAt: at(3) },
        at(3),
      );
      expect(before).toEqual(s);
      expect(await repos.stations.get(s.id)).toEqual({
        ...s,
        online: false,
        breaker: 'closed',
        powerW: 2_950,
        lastSeenAt: at(3),
        updatedAt: at(3),
      });
    });

    it('clears a field given as undefined (a cleared fault)', async () => {
      const s = aStation({ fault: 'E42' });
      await repos.stations.put(s);
      await repos.stations.updatePresence(s.id, { fault: undefined, online: true }, at(4));
      const { fault: _cleared, ...rest } = s;
      expect(await repos.stations.get(s.id)).toEqual({ ...rest, updatedAt: at(4) });
    });

    it('ignores an unknown station (a stray report creates no row)', async () => {
      expect(await repos.stations.updatePresence('st_ghost', { online: true }, at(1))).toBeUndefined();
      expect(await repos.stations.get('st_ghost')).toBeUndefined();
    });

    it('drops a signal older than the one applied (two handled at once must not land out of order)', async () => {
      const s = aStation();
      await repos.stations.put(s);
      await repos.stations.updatePresence(s.id, { breaker: 'open', lastSeenAt: at(5) }, at(5));
      expect(
        await repos.stations.updatePresence(s.id, { breaker: 'closed', lastSeenAt: at(4) }, at(6)),
      ).toBeUndefined();
      expect(await repos.stations.get(s.id)).toMatchObject({ breaker: 'open', lastSeenAt: at(5), updatedAt: at(5) });
      expect(await repos.stations.updatePresence(s.id, { breaker: 'closed', lastSeenAt: at(5) }, at(7))).toMatchObject({
        breaker: 'open',
        updatedAt: at(5),
      });
      expect(await repos.stations.get(s.id)).toMatchObject({ breaker: 'closed', updatedAt: at(7) });
    });
  });
}
