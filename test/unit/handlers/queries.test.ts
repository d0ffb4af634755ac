import { describe, expect, it } from 'vitest';
import { MemoryAnomalyRepository } from '../../../functions/src/adapters/memory/memory-anomaly-repository.js';
import { makeHandler } from '../../../functions/src/handlers/queries.js';
import { makeOperatorUseCases } from '../../../functions/src/use-cases/operator-use-cases.js';
import { harness, value } from '../use-cases/harness.js';
import { type CallerOpts, driverIdentity, refusal, resolverEvent } from './resolver-fixtures.js';

async function world() {
  const h = harness();
  await h.addStation('TKY-001');
  await h.addStation('TKY-002', { online: false });
  await h.driverWithCard('drv-1');
  await h.driverWithCard('drv-2');
  const handler = makeHandler({
    ...h.uc,
    ...makeOperatorUseCases({
      sessions: h.sessions,
      alertsFeed: h.alerts,
      anomalies: new MemoryAnomalyRepository(),
      clock: h.clock,
    }),
    logger: h.logger,
  });
  const ask = (field: string, args: Record<string, unknown> = {}, sub: string | null = 'drv-1', opts?: CallerOpts) =>
    handler(resolverEvent(field, args, sub ? driverIdentity(sub, opts) : null));
  return { h, ask };
}

async function startFor(h: Awaited<ReturnType<typeof world>>['h'], driverId: string, key: string) {
  return value(await h.uc.startCharge({ driverId, stationId: 'TKY-001', startKey: key })).session;
}

describe('read resolvers', () => {
  it('lists stations with their status and never who holds one', async () => {
    const { h, ask } = await world();
    await startFor(h, 'drv-2', 'k1');
    const stations = await ask('Query.stations');
    expect(stations).toMatchObject([
      { id: 'TKY-001', status: 'CHARGING', unavailableReason: 'in use' },
      { id: 'TKY-002', status: 'OFFLINE', unavailableReason: 'station is offline' },
    ]);
    expect(JSON.stringify(stations)).not.toContain('activeSessionId');
  });

  it('finds one station by id, or null', async () => {
    const { ask } = await world();
    expect(await ask('Query.station', { id: 'TKY-002' })).toMatchObject({ id: 'TKY-002', status: 'OFFLINE' });
    expect(await ask('Query.station', { id: 'NOPE-9' })).toBeNull();
    const bad = await refusal(ask('Query.station', { id: '' }));
    expect(bad).toMatchObject({ errorType: 'VALIDATION', errorInfo: { fields: ['id'] } });
  });

  it("shows me my own account, the operator flag from the caller's groups", async () => {
    const { ask } = await world();
    expect(await ask('Query.me', {}, 'drv-1', { email: 'a@example.jp' })).toEqual({
      id: 'drv-1',
      email: 'a@example.jp',
      balanceYen: 0,
      hasCard: true,
      cardBrand: 'visa',
      cardLast4: '4242',
      blocked: false,
      outstandingYen: 0,
      isOperator: false,
    });
    expect(await ask('Query.me', {}, 'drv-1', { groups: ['operators'] })).toMatchObject({ isOperator: true });
    // A confirmed user whose sign-up trigger failed has no row yet: shown as new, not as an error.
    expect(await ask('Query.me', {}, 'drv-new')).toMatchObject({ id: 'drv-new', hasCard: false, email: null });
  });

  it('pages through my sessions only, newest first', async () => {
    const { h, ask } = await world();
    await h.addStation('TKY-003');
    await h.addStation('TKY-004');
    const a = await startFor(h, 'drv-1', 'k1');
    h.clock.advance(1_000);
    const b = value(await h.uc.startCharge({ driverId: 'drv-1', stationId: 'TKY-003', startKey: 'k2' })).session;
    h.clock.advance(1_000);
    await h.uc.startCharge({ driverId: 'drv-2', stationId: 'TKY-004', startKey: 'k3' });
    const first = await ask('Query.mySessions', { limit: 1 });
    expect(first).toMatchObject({ items: [{ id: b.id, driverId: 'drv-1' }], nextToken: expect.any(String) });
    const token = (await h.sessions.listByDriver('drv-1', 1)).nextToken;
    const second = await ask('Query.mySessions', { limit: 1, nextToken: token });
    expect(second).toMatchObject({ items: [{ id: a.id }], nextToken: null });
    expect(await ask('Query.mySessions', { limit: null, nextToken: null })).toMatchObject({
      items: [{ id: b.id }, { id: a.id }],
    });
  });

  it('refuses out-of-range page sizes as VALIDATION on limit', async () => {
    const { ask } = await world();
    for (const limit of [0, 101, 2.5, '10']) {
      const e = await refusal(ask('Query.mySessions', { limit }));
      expect(e).toMatchObject({ errorType: 'VALIDATION', errorInfo: { fields: ['limit'] } });
    }
  });

  it("reads my session, and refuses another driver's as SESSION.NOT_YOURS", async () => {
    const { h, ask } = await world();
    const s = await startFor(h, 'drv-1', 'k1');
    expect(await ask('Query.session', { id: s.id })).toMatchObject({ id: s.id, state: 'ENERGIZING' });
    expect(await refusal(ask('Query.session', { id: s.id }, 'drv-2'))).toMatchObject({
      errorType: 'SESSION.NOT_YOURS',
      errorInfo: { sessionId: s.id },
    });
    expect((await refusal(ask('Query.session', { id: 'ses-nope' }))).errorType).toBe('SESSION.NOT_FOUND');
  });

  it('requires a signed-in driver for every read', async () => {
    const { ask } = await world();
    for (const field of ['Query.stations', 'Query.station', 'Query.me', 'Query.mySessions', 'Query.session']) {
      expect((await refusal(ask(field, { id: 'x' }, null))).errorType).toBe('UNAUTHORIZED');
    }
  });
});

describe('subscribe-time checks', () => {
  it("lets the owner subscribe to a session and refuses anyone else's", async () => {
    const { h, ask } = await world();
    const s = await startFor(h, 'drv-1', 'k1');
    await expect(ask('Subscription.onSessionUpdate', { id: s.id })).resolves.toBeNull();
    expect(await refusal(ask('Subscription.onSessionUpdate', { id: s.id }, 'drv-2'))).toMatchObject({
      errorType: 'SESSION.NOT_YOURS',
    });
    expect((await refusal(ask('Subscription.onSessionUpdate', { id: 'ses-nope' }))).errorType).toBe(
      'SESSION.NOT_FOUND',
    );
    expect((await refusal(ask('Subscription.onSessionUpdate', { id: s.id }, null))).errorType).toBe('UNAUTHORIZED');
    expect((await refusal(ask('Subscription.onSessionUpdate', {}))).errorInfo).toEqual({ fields: ['id'] });
  });

  it('lets a signed-in driver follow all of their own sessions (delivery is owner-filtered), and nobody else', async () => {
    const { ask } = await world();
    await expect(ask('Subscription.onMySessionUpdates')).resolves.toBeNull();
    expect((await refusal(ask('Subscription.onMySessionUpdates', {}, null))).errorType).toBe('UNAUTHORIZED');
  });

  it('lets any signed-in driver follow station changes', async () => {
    const { ask } = await world();
    await expect(ask('Subscription.onStationUpdate')).resolves.toBeNull();
    expect((await refusal(ask('Subscription.onStationUpdate', {}, null))).errorType).toBe('UNAUTHORIZED');
  });

  it('hides a failing store as INTERNAL', async () => {
    const { h, ask } = await world();
    h.stations.list = async () => {
      throw new Error('ECONNREFUSED 127.0.0.1:8000');
    };
    const e = await refusal(ask('Query.stations'));
    expect(e.errorType).toBe('INTERNAL');
    expect(e.message).not.toContain('ECONNREFUSED');
  });
});
