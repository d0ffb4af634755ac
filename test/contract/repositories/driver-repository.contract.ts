import { beforeEach, describe, expect, it } from 'vitest';
import type { Repositories } from './backends.js';
import { aDriver, at } from './fixtures.js';

/** What every DriverRepository must do (run against the fake and DynamoDB Local). */
export function driverRepositoryContract(make: () => Promise<Repositories>): void {
  let repos: Repositories;
  beforeEach(async () => {
    repos = await make();
  });

  describe('ensure', () => {
    it('creates an absent driver and returns it', async () => {
      const d = aDriver({ email: 'a@example.com', stripeCustomerId: 'cus_1' });
      expect(await repos.drivers.ensure(d)).toEqual(d);
      expect(await repos.drivers.get(d.id)).toEqual(d);
    });

    it('returns the stored row, untouched, when the driver exists', async () => {
      const d = aDriver({ balanceYen: 30 });
      await repos.drivers.ensure(d);
      expect(await repos.drivers.ensure({ ...d, balanceYen: 0, email: 'late@example.com' })).toEqual(d);
      expect(await repos.drivers.get(d.id)).toEqual(d);
    });

    it('keeps the first of concurrent ensures', async () => {
      const d = aDriver();
      const rows = await Promise.all(
        Array.from({ length: 8 }, (_, i) => repos.drivers.ensure({ ...d, stripeCustomerId: `cus_${i}` })),
      );
      const stored = await repos.drivers.get(d.id);
      for (const row of rows) expect(row).toEqual(stored);
    });
  });

  it('get returns nothing for an unknown driver', async () => {
    expect(await repos.drivers.get('drv_unknown')).toBeUndefined();
  });

  describe('update', () => {
    it('replaces the row when the version matches', async () => {
      const d = await repos.drivers.ensure(aDriver());
      const next = {
        ...d,
        version: 2,
        defaultPaymentMethodId: 'pm_1',
        cardBrand: 'visa',
        cardLast4: '4242',
        blocked: true,
        blockedBySessionId: 'ses_1',
        updatedAt: at(1),
      };
      expect(await repos.drivers.update(next, 1)).toBe(true);
      expect(await repos.drivers.get(d.id)).toEqual(next);
    });

    it('drops fields the new row no longer has', async () => {
      const d = await repos.drivers.ensure(aDriver({ blocked: true, blockedBySessionId: 'ses_1' }));
      const { blockedBySessionId: _cleared, ...rest } = d;
      const next = { ...rest, blocked: false, version: 2 };
      expect(await repos.drivers.update(next, 1)).toBe(true);
      expect(await repos.drivers.get(d.id)).toEqual(next);
    });

    it('refuses a stale version and keeps the row', async () => {
      const d = await repos.drivers.ensure(aDriver());
      await repos.drivers.update({ ...d, balanceYen: 10, version: 2 }, 1);
      expect(await repos.drivers.update({ ...d, balanceYen: 99, version: 2 }, 1)).toBe(false);
      expect((await repos.drivers.get(d.id))?.balanceYen).toBe(10);
    });

    it('refuses to update a driver that does not exist', async () => {
      const ghost = aDriver({ version: 2 });
      expect(await repos.drivers.update(ghost, 1)).toBe(false);
      expect(await repos.drivers.get(ghost.id)).toBeUndefined();
    });

    it('throws when the new version is not expectedVersion + 1', async () => {
      const d = await repos.drivers.ensure(aDriver());
      await expect(repos.drivers.update({ ...d, version: 1 }, 1)).rejects.toThrow(/version/);
    });

    it('lets exactly one of 10 concurrent updates from the same version win', async () => {
      const d = await repos.drivers.ensure(aDriver());
      const attempts = Array.from({ length: 10 }, (_, i) => ({ ...d, balanceYen: i + 1, version: 2 }));
      const results = await Promise.all(attempts.map((a) => repos.drivers.update(a, 1)));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await repos.drivers.get(d.id)).toEqual(attempts[results.indexOf(true)]);
    });
  });
}
