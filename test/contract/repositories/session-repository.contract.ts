import { beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../../../functions/src/domain/session.js';
import type { Repositories } from './backends.js';
import { aDriver, anEntry, aSession, at, moved, uniqueId } from './fixtures.js';

/** What every SessionRepository must do (run against the fake and DynamoDB Local). */
export function sessionRepositoryContract(make: () => Promise<Repositories>): void {
  let repos: Repositories;
  beforeEach(async () => {
    repos = await make();
  });

  async function created(overrides: Partial<Session> = {}): Promise<Session> {
    const s = aSession(overrides);
    await repos.sessions.create(s, anEntry(s, null, 'StartRequested'));
    return s;
  }

  describe('create', () => {
    it('stores the session with its first ledger entry', async () => {
      const s = aSession({ exposureCap: { maxYen: 2_000 }, checkoutUrl: undefined });
      const entry = {
        ...anEntry(s, null, 'StartRequested'),
        evidence: { stripeObjectId: 'cs_1', amountYen: 0, ok: true },
      };
      expect(await repos.sessions.create(s, entry)).toEqual({ created: true, session: s });
      expect(await repos.sessions.get(s.id)).toEqual(s);
      expect(await repos.sessions.ledger(s.id)).toEqual([entry]);
    });

    it('returns the first session, untouched, when the id already exists', async () => {
      const first = await created();
      const again = { ...first, startKey: 'other', stationId: 'st_other' };
      const result = await repos.sessions.create(again, anEntry(again, null, 'StartRequested'));
      expect(result).toEqual({ created: false, session: first });
      expect(await repos.sessions.ledger(first.id)).toHaveLength(1);
    });

    it('lets exactly one of concurrent creates of the same id win', async () => {
      const s = aSession();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => {
          const attempt = { ...s, startKey: `k${i}` };
          return repos.sessions.create(attempt, anEntry(attempt, null, 'StartRequested'));
        }),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const stored = await repos.sessions.get(s.id);
      for (const r of results) expect(r.session).toEqual(stored);
    });
  });

  describe('get and ledger', () => {
    it('return nothing for an unknown session', async () => {
      expect(await repos.sessions.get('ses_unknown')).toBeUndefined();
      expect(await repos.sessions.ledger('ses_unknown')).toEqual([]);
    });

    it('round-trip every optional field', async () => {
      const s = await created({
        state: 'PAID',
        exposureCap: { maxYen: 3_000, maxWh: 10_000 },
        checkoutSessionId: 'cs_1',
        checkoutUrl: 'http://127.0.0.1/c/cs_1',
        startCmdId: 'cmd_1',
        stopCmdId: 'cmd_2',
        startedAt: at(1),
        endedAt: at(61),
        startRegisterWh: 1_000,
        stopRegisterWh: 4_000,
        energyWh: 3_000,
        amountYen: 167,
        carriedInYen: 30,
        chargeYen: 197,
        paymentAttempt: 1,
        idempotencyKey: 'charge:ses_1:1',
        customerId: 'cus_1',
        paymentIntentId: 'pi_1',
        paymentMethodId: 'pm_1',
        cardBrand: 'visa',
        cardLast4: '4242',
        paidAt: at(62),
        refundedYen: 50,
        stopReason: 'remote',
        failureCode: 'none',
        failureMessage: 'none',
        live: { seq: 7, at: at(30), registerWh: 2_500, powerW: 2_950.5, energyWh: 1_500, costYen: 83 },
      });
      expect(await repos.sessions.get(s.id)).toEqual(s);
    });
  });

  describe('peek', () => {
    it('answers from what this process created and committed', async () => {
      const s = await created();
      expect(await repos.sessions.peek(s.id)).toEqual({ session: s, remembered: true });
      const a = moved(s, 'ENERGIZING', 'CardSaved');
      await repos.sessions.commit({ session: a.next, expectedVersion: 1, entries: [a.entry] });
      expect(await repos.sessions.peek(s.id)).toEqual({ session: a.next, remembered: true });
    });

    it('reads a session this process has not seen, and says so; an unknown one is undefined', async () => {
      const s = await created();
      expect(await repos.sessionsElsewhere.peek(s.id)).toEqual({ session: s, remembered: false });
      expect(await repos.sessionsElsewhere.peek(s.id)).toEqual({ session: s, remembered: true });
      expect(await repos.sessionsElsewhere.peek('ses_unknown')).toBeUndefined();
    });

    it('may be behind another process (never ahead): a commit on it loses, and the next peek reads', async () => {
      const s = await created();
      const elsewhere = moved(s, 'ENERGIZING', 'CardSaved');
      expect(await repos.sessionsElsewhere.get(s.id)).toEqual(s);
      expect(
        await repos.sessionsElsewhere.commit({
          session: elsewhere.next,
          expectedVersion: 1,
          entries: [elsewhere.entry],
        }),
      ).toBe(true);
      expect(await repos.sessions.peek(s.id)).toEqual({ session: s, remembered: true });

      const stale = moved(s, 'CANCELLED', 'CheckoutExpired');
      expect(await repos.sessions.commit({ session: stale.next, expectedVersion: 1, entries: [stale.entry] })).toBe(
        false,
      );
      expect(await repos.sessions.peek(s.id)).toEqual({ session: elsewhere.next, remembered: false });
      expect((await repos.sessions.ledger(s.id)).map((e) => e.cause)).toEqual(['StartRequested', 'CardSaved']);
    });

    it('keeps the newer of a read and a commit whatever order they answer in', async () => {
      const s = await created();
      const a = moved(s, 'ENERGIZING', 'CardSaved');
      const [read] = await Promise.all([
        repos.sessions.get(s.id),
        repos.sessions.commit({ session: a.next, expectedVersion: 1, entries: [a.entry] }),
      ]);
      expect([1, 2]).toContain(read?.version);
      expect(await repos.sessions.peek(s.id)).toEqual({ session: a.next, remembered: true });
    });

    it('forgets a session that has ended', async () => {
      const s = await created();
      const done = moved(s, 'CANCELLED', 'CheckoutExpired');
      await repos.sessions.commit({ session: done.next, expectedVersion: 1, entries: [done.entry] });
      expect(await repos.sessions.peek(s.id)).toEqual({ session: done.next, remembered: false });
    });
  });

  describe('commit', () => {
    it('moves the session and appends its entries in order', async () => {
      const s = await created();
      const a = moved(s, 'ENERGIZING', 'CardSaved');
      const b = moved(a.next, 'CHARGING', 'BreakerClosed', { startRegisterWh: 1_200 });
      const bExtra = { ...b.entry, cause: 'LiveStarted', evidence: { registerWh: 1_200 } };
      expect(await repos.sessions.commit({ session: a.next, expectedVersion: 1, entries: [a.entry] })).toBe(true);
      expect(await repos.sessions.commit({ session: b.next, expectedVersion: 2, entries: [b.entry, bExtra] })).toBe(
        true,
      );
      expect(await repos.sessions.get(s.id)).toEqual(b.next);
      const causes = (await repos.sessions.ledger(s.id)).map((e) => e.cause);
      expect(causes).toEqual(['StartRequested', 'CardSaved', 'BreakerClosed', 'LiveStarted']);
    });

    it('refuses a stale expected version and changes nothing', async () => {
      const s = await created();
      const a = moved(s, 'ENERGIZING', 'CardSaved');
      await repos.sessions.commit({ session: a.next, expectedVersion: 1, entries: [a.entry] });
      const stale = moved(s, 'CANCELLED', 'CheckoutExpired');
      expect(await repos.sessions.commit({ session: stale.next, expectedVersion: 1, entries: [stale.entry] })).toBe(
        false,
      );
      expect(await repos.sessions.get(s.id)).toEqual(a.next);
      expect(await repos.sessions.ledger(s.id)).toHaveLength(2);
    });

    it('refuses a change to a session that does not exist', async () => {
      const ghost = moved(aSession(), 'ENERGIZING', 'CardSaved');
      expect(await repos.sessions.commit({ session: ghost.next, expectedVersion: 1, entries: [ghost.entry] })).toBe(
        false,
      );
      expect(await repos.sessions.get(ghost.next.id)).toBeUndefined();
    });

    it('throws when the new version is not expectedVersion + 1 (a use-case bug)', async () => {
      const s = await created();
      const wrong = { ...s, state: 'ENERGIZING' as const, version: 3 };
      await expect(repos.sessions.commit({ session: wrong, expectedVersion: 1, entries: [] })).rejects.toThrow(
        /version/,
      );
      expect(await repos.sessions.get(s.id)).toEqual(s);
    });

    it('lets exactly one of 20 concurrent commits from the same version win', async () => {
      const s = await created();
      const changes = Array.from({ length: 20 }, (_, i) => {
        const m = moved(s, 'ENERGIZING', `Attempt${i}`, { startCmdId: `cmd_${i}` });
        return { session: m.next, expectedVersion: 1, entries: [m.entry] };
      });
      const results = await Promise.all(changes.map((c) => repos.sessions.commit(c)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = changes[results.indexOf(true)];
      expect(await repos.sessions.get(s.id)).toEqual(winner?.session);
      const ledger = await repos.sessions.ledger(s.id);
      expect(ledger.map((e) => e.cause)).toEqual(['StartRequested', winner?.entries[0]?.cause]);
    });
  });

  describe('commit with a driver change', () => {
    it('moves the session and the driver row together', async () => {
      const driver = await repos.drivers.ensure(aDriver({ balanceYen: 30 }));
      const s = await created({ driverId: driver.id, state: 'STOPPING', version: 5 });
      const m = moved(s, 'METERED', 'BreakerOpened', { carriedInYen: 30 });
      const nextDriver = { ...driver, balanceYen: 0, version: 2, updatedAt: at(5) };
      const change = {
        session: m.next,
        expectedVersion: 5,
        entries: [m.entry],
        driver: { next: nextDriver, expectedVersion: 1 },
      };
      expect(await repos.sessions.commit(change)).toBe(true);
      expect(await repos.sessions.get(s.id)).toEqual(m.next);
      expect(await repos.drivers.get(driver.id)).toEqual(nextDriver);
      expect(await repos.sessions.ledger(s.id)).toHaveLength(2);
    });

    it('writes neither when the driver version moved', async () => {
      const driver = await repos.drivers.ensure(aDriver({ balanceYen: 30 }));
      const bumped = { ...driver, balanceYen: 40, version: 2 };
      await repos.drivers.update(bumped, 1);
      const s = await created({ driverId: driver.id });
      const m = moved(s, 'CARRIED_OVER', 'AmountBelowMinimum');
      const change = {
        session: m.next,
        expectedVersion: 1,
        entries: [m.entry],
        driver: { next: { ...driver, balanceYen: 60, version: 2 }, expectedVersion: 1 },
      };
      expect(await repos.sessions.commit(change)).toBe(false);
      expect(await repos.sessions.get(s.id)).toEqual(s);
      expect(await repos.sessions.ledger(s.id)).toHaveLength(1);
      expect(await repos.drivers.get(driver.id)).toEqual(bumped);
    });

    it('writes neither when the session version moved', async () => {
      const driver = await repos.drivers.ensure(aDriver());
      const s = await created({ driverId: driver.id });
      const m = moved(s, 'CARRIED_OVER', 'AmountBelowMinimum');
      const nextDriver = { ...driver, balanceYen: 20, version: 2 };
      const change = { session: { ...m.next, version: 3 }, expectedVersion: 2, entries: [m.entry] };
      expect(await repos.sessions.commit({ ...change, driver: { next: nextDriver, expectedVersion: 1 } })).toBe(false);
      expect(await repos.drivers.get(driver.id)).toEqual(driver);
      expect(await repos.sessions.get(s.id)).toEqual(s);
    });

    it('lets exactly one of 10 concurrent session+driver commits win', async () => {
      const driver = await repos.drivers.ensure(aDriver());
      const s = await created({ driverId: driver.id });
      const changes = Array.from({ length: 10 }, (_, i) => {
        const m = moved(s, 'CARRIED_OVER', `Attempt${i}`);
        return {
          session: m.next,
          expectedVersion: 1,
          entries: [m.entry],
          driver: { next: { ...driver, balanceYen: i + 1, version: 2 }, expectedVersion: 1 },
        };
      });
      const results = await Promise.all(changes.map((c) => repos.sessions.commit(c)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = changes[results.indexOf(true)];
      expect(await repos.drivers.get(driver.id)).toEqual(winner?.driver.next);
      expect(await repos.sessions.get(s.id)).toEqual(winner?.session);
    });
  });

  describe('listByDriver', () => {
    it('pages through one driver’s sessions, newest first, with an opaque token', async () => {
      const driverId = uniqueId('drv');
      const mine: Session[] = [];
      for (let i = 0; i < 5; i++) mine.push(await created({ driverId, createdAt: at(i), updatedAt: at(i) }));
      await created({ driverId: uniqueId('drv'), createdAt: at(2) });
      const seen: Session[] = [];
      let token: string | undefined;
      for (let page = 0; page < 5; page++) {
        const result = await repos.sessions.listByDriver(driverId, 2, token);
        expect(result.items.length).toBeGreaterThan(0);
        expect(result.items.length).toBeLessThanOrEqual(2);
        seen.push(...result.items);
        token = result.nextToken;
        if (!token) break;
      }
      expect(token).toBeUndefined();
      expect(seen).toEqual([...mine].reverse());
    });

    it('returns an empty page without a token for a driver with no sessions', async () => {
      expect(await repos.sessions.listByDriver(uniqueId('drv'), 10)).toEqual({ items: [] });
    });
  });

  describe('listByState', () => {
    it('lists the sessions currently in a state, up to the limit', async () => {
      const energizing: Session[] = [];
      for (let i = 0; i < 3; i++) {
        const s = await created({ updatedAt: at(i) });
        const m = moved(s, 'ENERGIZING', 'CardSaved');
        await repos.sessions.commit({ session: m.next, expectedVersion: 1, entries: [m.entry] });
        energizing.push(m.next);
      }
      const waiting = await created();
      const byId = (a: Session, b: Session) => a.id.localeCompare(b.id);
      expect((await repos.sessions.listByState('ENERGIZING', 10)).sort(byId)).toEqual([...energizing].sort(byId));
      expect(await repos.sessions.listByState('AWAITING_PAYMENT_METHOD', 10)).toEqual([waiting]);
      expect(await repos.sessions.listByState('ENERGIZING', 2)).toHaveLength(2);
      expect(await repos.sessions.listByState('PAID', 10)).toEqual([]);
    });
  });
}
