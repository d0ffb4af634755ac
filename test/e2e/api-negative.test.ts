/**
 * The API's negative paths, end to end against the whole local stack (issue 4): other drivers'
 * sessions, bad tokens, racing starts, repeated keys and stops, malformed arguments, unknown and
 * offline stations. Every refusal is checked for what it did NOT do as well: no write, no charge,
 * no breaker change.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AmplifyNodeUser } from '../support/amplify-node.js';
import { createAppClient, createOtherPool, tokensFor, tokensViaClient } from '../support/cognito-tokens.js';
import { rawGraphql } from '../support/iam-graphql.js';
import { ok, Q, type SessionDto, signedUpDriver } from '../support/journey.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import {
  emulatorStripe,
  errorTypes,
  newKey,
  paymentIntentsOf,
  SETTLED,
  sessionOf,
  shortLivedTokens,
  startCharge,
  startCharging,
  stopAfter,
  storeSnapshot,
  untilSession,
} from './support-flows.js';

/** The token's `exp` claim in ms (no verification: the server does that). */
function expiresAtMs(jwt: string): number {
  const payload = z
    .object({ exp: z.number() })
    .parse(JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')));
  return payload.exp * 1000;
}

let t: TestStack;
let alice: AmplifyNodeUser;
let bob: AmplifyNodeUser;

beforeAll(async () => {
  t = await startTestStack({ EV_STATIONS: '5', EV_REPORT_MS: '300' });
  alice = (await signedUpDriver(t.target, t.stack.cognitoPool, 'alice')).user;
  bob = (await signedUpDriver(t.target, t.stack.cognitoPool, 'bob')).user;
}, 120_000);

afterAll(async () => {
  await alice?.dispose();
  await bob?.dispose();
  await t?.stop();
});

const sessionsOf = async (user: AmplifyNodeUser) =>
  (await t.stack.deps.ports.sessions.listByDriver(await user.sub(), 100)).items;

describe('another driver’s session', () => {
  it('cannot be read, subscribed to or stopped by another driver, and keeps charging', async () => {
    const { session } = await startCharging(alice, 'TKY-SBY-01');
    const aliceLive = alice.subscribe<{ onSessionUpdate: SessionDto }>(Q.onSession, { id: session.id });
    await aliceLive.ready;
    const flowing = await aliceLive.waitFor((e) => (e.onSessionUpdate.energyWh ?? 0) > 0, 10_000);

    const read = await bob.graphql<{ session: SessionDto | null }>(Q.session, { id: session.id });
    expect(errorTypes(read)).toEqual(['SESSION.NOT_YOURS']);
    expect(read.data?.session ?? null).toBeNull();

    const spy = bob.subscribe<{ onSessionUpdate: SessionDto }>(Q.onSession, { id: session.id });
    const refused = await spy.ready.then(
      () => 'started',
      (e: unknown) => JSON.stringify(e),
    );
    expect(refused).toContain('SESSION.NOT_YOURS');

    const stop = await bob.graphql<{ stopCharge: SessionDto | null }>(Q.stop, { id: session.id });
    expect(errorTypes(stop)).toEqual(['SESSION.NOT_YOURS']);
    expect(stop.data?.stopCharge ?? null).toBeNull();

    // The breaker stays closed: the station is still bound and closed, and the meter keeps rising.
    const station = await t.stack.deps.ports.stations.get('TKY-SBY-01');
    expect(station).toMatchObject({ breaker: 'closed', activeSessionId: session.id });
    const node = t.stack.simulator.fleet.nodes.find((n) => n.id === 'TKY-SBY-01');
    expect(node?.station.sessionId).toBeTruthy();
    expect((await sessionOf(alice, session.id)).state).toBe('CHARGING');
    const sinceWh = flowing.onSessionUpdate.energyWh ?? 0;
    const later = await aliceLive.waitFor(
      (e) => (e.onSessionUpdate.energyWh ?? 0) > sinceWh && e.onSessionUpdate.state === 'CHARGING',
      10_000,
    );
    expect(later.onSessionUpdate.driverId).toBe(await alice.sub());
    expect(spy.events).toEqual([]);
    spy.unsubscribe();
    aliceLive.unsubscribe();

    expect(SETTLED).toContain((await stopAfter(alice, session.id)).state);
    const unknown = await bob.graphql(Q.session, { id: 'ses-not-there' });
    expect(errorTypes(unknown)).toEqual(['SESSION.NOT_FOUND']);
  });
});

describe('tokens', () => {
  const query = Q.stations;

  it('refuses calls without a token, with garbage, from another pool or another app client', async () => {
    const otherPool = await createOtherPool(t.stack.urls.cognito);
    const stranger = await tokensFor(t.stack.urls.cognito, otherPool, `stranger-${Date.now()}@example.com`);
    const otherClient = await createAppClient(t.stack.urls.cognito, t.stack.urls.userPoolId);
    const email = `other-client-${Date.now()}@example.com`;
    await tokensFor(
      t.stack.urls.cognito,
      { userPoolId: t.stack.urls.userPoolId, clientId: t.stack.urls.clientId },
      email,
    );
    const viaOther = await tokensViaClient(t.stack.urls.cognito, otherClient, email);

    const before = await storeSnapshot(t.stack);
    const url = t.stack.urls.graphql;
    const start = Q.start;
    const vars = { stationId: 'TKY-SBY-02', key: newKey() };
    for (const auth of [undefined, 'not-a-jwt', 'Bearer ', `${await alice.accessToken()}x`]) {
      const res = await rawGraphql(url, auth, start, vars);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ errors: [{ errorType: 'UnauthorizedException' }] });
    }
    for (const token of [stranger.accessToken, stranger.idToken]) {
      const res = await rawGraphql(url, token, start, vars);
      expect(res).toMatchObject({ status: 401, body: { errors: [{ message: expect.stringMatching(/issuer/i) }] } });
    }
    expect((await rawGraphql(url, viaOther.accessToken, start, vars)).status).toBe(401);
    expect(await storeSnapshot(t.stack)).toEqual(before);
    // The control: the same request with a valid token of this pool and client is served.
    expect((await rawGraphql(url, await alice.accessToken(), query)).status).toBe(200);
  });

  it('refuses a token once it has expired, having served it a moment before', async () => {
    // exp has whole-second resolution: a 1 s token can expire before its first use on a loaded
    // machine. 3 s leaves at least 2 s for the control; then wait until just after exp.
    const short = await shortLivedTokens(t.stack, `short-${Date.now()}@example.com`, 3);
    const url = t.stack.urls.graphql;
    const fresh = await rawGraphql(url, short.accessToken, query);
    expect(fresh.status).toBe(200);
    await sleep(Math.max(0, expiresAtMs(short.accessToken) + 1_100 - Date.now()));
    const before = await storeSnapshot(t.stack);
    for (const token of [short.accessToken, short.idToken]) {
      expect(await rawGraphql(url, token, query)).toEqual({
        status: 401,
        body: {
          errors: [expect.objectContaining({ errorType: 'UnauthorizedException', message: 'Token has expired.' })],
        },
      });
    }
    const start = await rawGraphql(url, short.accessToken, Q.start, { stationId: 'TKY-SBY-02', key: newKey() });
    expect(start.status).toBe(401);
    expect(await storeSnapshot(t.stack)).toEqual(before);
  });
});

describe('starting', () => {
  it('lets exactly one of two drivers starting one station at once win; the other gets STATION.BUSY', async () => {
    const stations = ['TKY-SBY-02', 'YOK-MM-01', 'TKY-SBY-02', 'YOK-MM-02'];
    const wins = { alice: 0, bob: 0 };
    for (const stationId of stations) {
      const [a, b] = await Promise.all([startCharge(alice, stationId), startCharge(bob, stationId)]);
      const results = [
        { who: 'alice' as const, user: alice, r: a },
        { who: 'bob' as const, user: bob, r: b },
      ];
      const winners = results.filter((x) => x.r.data?.startCharge);
      const losers = results.filter((x) => !x.r.data?.startCharge);
      expect(winners).toHaveLength(1);
      expect(losers.map((x) => errorTypes(x.r))).toEqual([['STATION.BUSY']]);
      const winner = winners[0];
      const won = winner?.r.data?.startCharge?.session;
      if (!winner || !won) throw new Error('no winner');
      wins[winner.who] += 1;
      expect((await t.stack.deps.ports.stations.get(stationId))?.activeSessionId).toBe(won.id);
      // Free the station for the next round: cancel a session still waiting for its card, else stop it.
      if (won.state === 'AWAITING_PAYMENT_METHOD') {
        const cancelled = await ok(winner.user.graphql<{ stopCharge: SessionDto }>(Q.stop, { id: won.id }));
        expect(cancelled.stopCharge.state).toBe('CANCELLED');
      } else {
        await untilSession(winner.user, won.id, (s) => s.state === 'CHARGING');
        expect(SETTLED).toContain((await stopAfter(winner.user, won.id)).state);
      }
      expect((await t.stack.deps.ports.stations.get(stationId))?.activeSessionId).toBeUndefined();
    }
    expect(wins.alice + wins.bob).toBe(stations.length);
  });

  it('returns the same session for the same idempotency key, and charges once for two stops', async () => {
    const key = newKey('same');
    const countBefore = (await sessionsOf(alice)).length;
    const [first, second] = await Promise.all([
      startCharge(alice, 'YOK-MM-01', key),
      startCharge(alice, 'YOK-MM-01', key),
    ]);
    const third = await startCharge(alice, 'YOK-MM-01', key);
    const ids = [first, second, third].map((r) => ok(Promise.resolve(r)).then((d) => d.startCharge.session.id));
    const [id, ...others] = await Promise.all(ids);
    if (!id) throw new Error('no session');
    expect(others).toEqual([id, id]);
    expect((await sessionsOf(alice)).length).toBe(countBefore + 1);

    await untilSession(alice, id, (s) => s.state === 'CHARGING');
    const live = alice.subscribe<{ onSessionUpdate: SessionDto }>(Q.onSession, { id });
    await live.ready;
    await live.waitFor((e) => (e.onSessionUpdate.energyWh ?? 0) > 0, 10_000);
    live.unsubscribe();
    const stops = await Promise.all([alice.graphql(Q.stop, { id }), alice.graphql(Q.stop, { id })]);
    for (const s of stops) expect(s.errors ?? []).toEqual([]);
    const paid = await untilSession(alice, id, (s) => s.state === 'PAID');
    const again = await ok(alice.graphql<{ stopCharge: SessionDto }>(Q.stop, { id }));
    expect(again.stopCharge.state).toBe('PAID');
    // A repeated start after the end still answers with that session, not a new one.
    expect((await ok(startCharge(alice, 'YOK-MM-01', key))).startCharge.session.id).toBe(id);

    const intents = await paymentIntentsOf(emulatorStripe(t.stack), id);
    expect(intents.map((pi) => [pi.status, pi.amount])).toEqual([['succeeded', paid.receipt?.chargedYen]]);
    const ledger = await t.stack.deps.ports.sessions.ledger(id);
    expect(ledger.filter((e) => e.to === 'STOPPING')).toHaveLength(1);
    expect(ledger.filter((e) => e.to === 'METERED')).toHaveLength(1);
    expect(ledger.filter((e) => e.to === 'PAID')).toHaveLength(1);
  });
});

describe('arguments', () => {
  it('refuses malformed arguments with a validation error and writes nothing', async () => {
    const before = await storeSnapshot(t.stack);
    const long = 'S'.repeat(129);
    const resolverRefusals: [string, Record<string, unknown>][] = [
      [Q.start, { stationId: 'TKY-SBY-02', key: 'short' }],
      [Q.start, { stationId: 'TKY-SBY-02', key: 'k'.repeat(129) }],
      [Q.start, { stationId: long, key: newKey() }],
      [Q.start, { stationId: 'TKY-SBY-02', key: 'key with spaces' }],
      [Q.start, { stationId: 'TKY-SBY-02', key: 'key;drop-table' }],
      [Q.start, { stationId: '../TKY-SBY-02', key: newKey() }],
      [Q.start, { stationId: 'TKY SBY 02', key: newKey() }],
      [Q.start, { stationId: 'TKY-SBY-02\n', key: newKey() }],
      [Q.start, { stationId: '', key: newKey() }],
      [Q.start, { stationId: 'ステーション', key: newKey() }],
      [Q.stop, { id: 'ses/../x' }],
      [Q.stop, { id: '' }],
      [Q.stop, { id: long }],
      [Q.session, { id: '#1' }],
    ];
    for (const [query, variables] of resolverRefusals) {
      const r = await bob.graphql(query, variables);
      expect(errorTypes(r), JSON.stringify(variables)).toEqual(['VALIDATION']);
    }
    const schemaRefusals: [string, Record<string, unknown>][] = [
      [Q.start, { stationId: 'TKY-SBY-02' }],
      [Q.start, { key: newKey() }],
      [Q.start, { stationId: 'TKY-SBY-02', key: 12345678 }],
      [Q.start, { stationId: true, key: newKey() }],
      [Q.start, { stationId: { id: 'TKY-SBY-02' }, key: newKey() }],
      [Q.stop, {}],
      ['mutation { startCharge(stationId: "TKY-SBY-02") { session { id } } }', {}],
      ['mutation { startCharge(stationId: "TKY-SBY-02", idempotencyKey: 7, extra: 1) { session { id } } }', {}],
    ];
    for (const [query, variables] of schemaRefusals) {
      const r = await bob.graphql(query, variables);
      expect(errorTypes(r), JSON.stringify(variables)).toContain('ValidationError');
      expect(r.data ?? null).toBeNull();
    }
    expect(await storeSnapshot(t.stack)).toEqual(before);
  });
});

describe('stations', () => {
  it('answers STATION.NOT_FOUND for an unknown station and STATION.OFFLINE for one that dropped off', async () => {
    const before = await storeSnapshot(t.stack);
    expect(errorTypes(await startCharge(bob, 'NOPE-99'))).toEqual(['STATION.NOT_FOUND']);

    const node = t.stack.simulator.fleet.nodes.find((n) => n.id === 'TKY-SBY-03');
    if (!node) throw new Error('TKY-SBY-03 is not simulated');
    node.goOffline(10 * 60_000); // abrupt: the broker fires its Last Will; it stays away past this file
    const deadline = Date.now() + 10_000;
    while ((await t.stack.deps.ports.stations.get('TKY-SBY-03'))?.online !== false) {
      if (Date.now() > deadline) throw new Error('TKY-SBY-03 never went offline');
      await sleep(100);
    }
    const listed = await ok(bob.graphql<{ stations: { id: string; status: string }[] }>(Q.stations));
    expect(listed.stations.find((s) => s.id === 'TKY-SBY-03')?.status).toBe('OFFLINE');
    const offline = await startCharge(bob, 'TKY-SBY-03');
    expect(errorTypes(offline)).toEqual(['STATION.OFFLINE']);
    expect(offline.data?.startCharge ?? null).toBeNull();

    const after = await storeSnapshot(t.stack);
    expect(after.text).toBe(before.text);
    expect(after.claims).toBe(before.claims);
  });
});
