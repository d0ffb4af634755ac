/**
 * Attacks by a signed-in driver on the running local stack's API (issue 9): reaching into another
 * driver's session (read, stop, subscribe — with the real Amplify client and a raw realtime socket —,
 * take over its station, forge a live update), and oversized or malformed GraphQL on both doors
 * (huge body, too many tokens, deep nesting, too many resolvers, huge variables, invalid JSON). Each
 * is refused with a clear error and writes nothing; the victim keeps charging and is billed once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmplifyNodeUser } from '../../support/amplify-node.js';
import { expectHealthy } from '../../support/invariants.js';
import { ok, Q, type SessionDto, signedUpDriver } from '../../support/journey.js';
import { openRealtime } from '../../support/realtime-client.js';
import { startTestStack, type TestStack } from '../../support/test-stack.js';
import { errorTypes, SETTLED, sessionOf, startCharge, startCharging, stopAfter } from '../support-flows.js';
import { snapshot } from './attack-kit.js';

let t: TestStack;
let alice: AmplifyNodeUser;
let bob: AmplifyNodeUser;

const VICTIM_STATION = 'YOK-MM-01'; // ¥110 session fee: the victim's session is really charged

beforeAll(async () => {
  t = await startTestStack({ EV_STATIONS: '5', EV_REPORT_MS: '300' });
  [alice, bob] = await Promise.all([
    signedUpDriver(t.target, t.stack.cognitoPool, 'alice').then((d) => d.user),
    signedUpDriver(t.target, t.stack.cognitoPool, 'bob').then((d) => d.user),
  ]);
}, 120_000);

afterAll(async () => {
  await alice?.dispose();
  await bob?.dispose();
  await t?.stop();
});

/** A raw body POSTed with bob's token: what the server answers, status and JSON. */
async function post(body: string | Buffer): Promise<{ status: number; body: unknown }> {
  const res = await fetch(t.stack.urls.graphql, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: await bob.accessToken() },
    body,
  });
  return { status: res.status, body: await res.json() };
}

/** `{ __schema { types { fields { type { ofType { … name } } } } } }` with `depth` field levels. */
function introspectionOfDepth(depth: number): string {
  const inner = depth - 4; // __schema, types, fields, type
  let tail = 'name';
  for (let i = 1; i < inner; i++) tail = `ofType { ${tail} }`;
  return `query { __schema { types { fields { type { ${tail} } } } } }`;
}

describe("another driver's session", () => {
  it('cannot be read, stopped, subscribed to, taken over or spoofed; the owner keeps charging and pays once', async () => {
    const { session } = await startCharging(alice, VICTIM_STATION);
    const aliceLive = alice.subscribe<{ onSessionUpdate: SessionDto }>(Q.onSession, { id: session.id });
    await aliceLive.ready;
    const flowing = await aliceLive.waitFor((e) => (e.onSessionUpdate.energyWh ?? 0) > 0, 15_000);
    const before = await snapshot(t);

    const read = await bob.graphql<{ session: SessionDto | null }>(Q.session, { id: session.id });
    expect(errorTypes(read)).toEqual(['SESSION.NOT_YOURS']);
    expect(read.data?.session ?? null).toBeNull();
    const stop = await bob.graphql<{ stopCharge: SessionDto | null }>(Q.stop, { id: session.id });
    expect(errorTypes(stop)).toEqual(['SESSION.NOT_YOURS']);
    const takeover = await startCharge(bob, VICTIM_STATION);
    expect(errorTypes(takeover)).toEqual(['STATION.BUSY']);
    const mine = await ok(bob.graphql<{ mySessions: { items: { id: string }[] } }>(Q.mySessions));
    expect(mine.mySessions.items.map((s) => s.id)).not.toContain(session.id);
    const operator = await bob.graphql('query { operatorSessions { id driverId } }');
    expect(errorTypes(operator)).toEqual(['Unauthorized']);

    // Subscribing with the real client, and with a raw socket whatever arguments it picks.
    const spy = bob.subscribe<{ onSessionUpdate: SessionDto }>(Q.onSession, { id: session.id });
    const refused = await spy.ready.then(
      () => 'started',
      (e: unknown) => JSON.stringify(e),
    );
    expect(refused).toContain('SESSION.NOT_YOURS');
    const host = new URL(t.stack.urls.graphql).host;
    const raw = await openRealtime(t.stack.urls.realtime, { host, Authorization: await bob.accessToken() });
    try {
      raw.send({ type: 'connection_init' });
      await raw.next('connection_ack');
      const bobAuth = { host, Authorization: await bob.accessToken() };
      const start = (id: string, query: string, variables: Record<string, unknown>) =>
        raw.send({
          id,
          type: 'start',
          payload: {
            data: JSON.stringify({ query, variables }),
            extensions: { authorization: bobAuth },
          },
        });
      start('by-variable', Q.onSession, { id: session.id });
      start('inline', `subscription { onSessionUpdate(id: "${session.id}") { id state energyWh } }`, {});
      for (const id of ['by-variable', 'inline']) {
        expect((await raw.next('error', id)).payload, id).toEqual({
          errors: [{ errorType: 'SESSION.NOT_YOURS', message: 'This session belongs to another driver.' }],
        });
      }

      // A forged live update ("PAID, ¥0") through the backend-only mutation: refused per field.
      const forged = await bob.graphql(
        `mutation F($input: SessionUpdateInput!) { publishSessionUpdate(input: $input) { id state } }`,
        {
          input: {
            id: session.id,
            driverId: await alice.sub(),
            stationId: VICTIM_STATION,
            state: 'PAID',
            tariff: { milliYenPerKwh: 0, sessionFeeYen: 0, milliYenPerMinute: 0 },
            createdAt: new Date().toISOString(),
            updatedAt: new Date().toISOString(),
          },
        },
      );
      expect(forged.errors).toEqual([
        expect.objectContaining({
          errorType: 'Unauthorized',
          message: 'Not Authorized to access publishSessionUpdate on type Mutation',
        }),
      ]);

      // The breaker stays closed for alice and her meter keeps rising; nobody else saw her updates.
      const sinceWh = flowing.onSessionUpdate.energyWh ?? 0;
      await aliceLive.waitFor(
        (e) => (e.onSessionUpdate.energyWh ?? 0) > sinceWh && e.onSessionUpdate.state === 'CHARGING',
        15_000,
      );
      expect(aliceLive.events.map((e) => e.onSessionUpdate.state)).not.toContain('PAID');
      expect(raw.messages.filter((m) => m.type === 'data' || m.type === 'start_ack')).toEqual([]);
      expect(spy.events).toEqual([]);
    } finally {
      raw.close();
      spy.unsubscribe();
      aliceLive.unsubscribe();
    }
    expect(await t.stack.deps.ports.stations.get(VICTIM_STATION)).toMatchObject({
      breaker: 'closed',
      activeSessionId: session.id,
    });
    expect(t.stack.simulator.fleet.nodes.find((n) => n.id === VICTIM_STATION)?.station.sessionId).toBe(session.id);
    expect((await sessionOf(alice, session.id)).state).toBe('CHARGING');
    expect((await snapshot(t)).store).toEqual(before.store);

    const final = await stopAfter(alice, session.id);
    expect(final.state).toBe('PAID');
    expect(SETTLED).toContain(final.state);
  });
});

describe('oversized and malformed GraphQL', () => {
  it('refuses invalid JSON, a body over 1 MiB, too many tokens, deep nesting and too many resolvers', async () => {
    const before = await snapshot(t);
    expect(await post('{"query": "query { me { id } }"')).toEqual({
      status: 400,
      body: { errors: [{ errorType: 'MalformedHttpRequestException', message: 'Request body is not JSON.' }] },
    });
    expect(await post('{"variables": {}}')).toEqual({
      status: 400,
      body: {
        errors: [{ errorType: 'MalformedHttpRequestException', message: 'Request body must hold a GraphQL query.' }],
      },
    });
    const huge = JSON.stringify({ query: `query { me { id } }${' '.repeat(1_100_000)}` });
    expect(await post(huge)).toEqual({
      status: 413,
      body: { errors: [{ errorType: 'PayloadTooLargeException', message: 'Request body is too large.' }] },
    });

    const tokens = await post(JSON.stringify({ query: `query { me { ${'id '.repeat(5_000)} } }` }));
    expect(tokens.body).toMatchObject({
      data: null,
      errors: [{ errorType: 'ValidationError', message: expect.stringContaining('more that 2000 tokens') }],
    });
    expect((await post(JSON.stringify({ query: introspectionOfDepth(10) }))).body).toMatchObject({
      data: { __schema: { types: expect.any(Array) } },
    });
    for (const depth of [11, 60]) {
      expect((await post(JSON.stringify({ query: introspectionOfDepth(depth) }))).body, `depth ${depth}`).toEqual({
        data: null,
        errors: [
          {
            errorType: 'ValidationError',
            message: 'Validation error: Query depth exceeds the maximum allowed depth of 10.',
            path: null,
            locations: [{ line: 1, column: 1, sourceName: null }],
          },
        ],
      });
    }
    const aliases = (n: number) => `query { ${Array.from({ length: n }, (_, i) => `m${i}: me { id }`).join(' ')} }`;
    expect((await post(JSON.stringify({ query: aliases(10) }))).body).toMatchObject({
      data: { m9: { id: expect.any(String) } },
    });
    expect((await post(JSON.stringify({ query: aliases(50) }))).body).toMatchObject({
      data: null,
      errors: [{ errorType: 'ValidationError', message: expect.stringContaining('the maximum allowed is 10') }],
    });
    expect(await snapshot(t)).toEqual(before);
  });

  it('refuses huge and deeply nested variables without writing anything', async () => {
    const before = await snapshot(t);
    const start = (variables: unknown) => post(JSON.stringify({ query: Q.start, variables }));
    // Built as text: JSON.stringify itself runs out of stack on 5,000 levels.
    const nestedBody = `{"query":${JSON.stringify(Q.start)},"variables":{"key":"${'k'.repeat(16)}","stationId":${'{"a":'.repeat(5_000)}"TKY-SBY-02"${'}'.repeat(5_000)}}}`;
    const bigId = await start({ stationId: 'S'.repeat(900_000), key: 'k'.repeat(16) });
    expect(bigId).toMatchObject({ status: 200, body: { errors: [{ errorType: 'VALIDATION' }] } });
    const deep = await post(nestedBody);
    expect(deep).toMatchObject({ status: 200, body: { data: null, errors: [{ errorType: 'ValidationError' }] } });
    const many = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`v${i}`, i]));
    const extra = await start({ ...many, stationId: 'TKY-SBY-02' });
    expect(extra).toMatchObject({ status: 200, body: { data: null, errors: [{ errorType: 'ValidationError' }] } });
    expect(await snapshot(t)).toEqual(before);
  });

  it('refuses the same on the realtime socket: oversized frames close it, malformed messages are answered', async () => {
    const host = new URL(t.stack.urls.graphql).host;
    const client = await openRealtime(t.stack.urls.realtime, { host, Authorization: await bob.accessToken() });
    const auth = { host, Authorization: await bob.accessToken() };
    try {
      client.send({ type: 'connection_init' });
      await client.next('connection_ack');
      client.send('not json');
      client.send({ type: 'start', id: 'x', payload: { data: '{', extensions: { authorization: auth } } });
      client.send({
        type: 'start',
        id: 'deep',
        payload: {
          data: JSON.stringify({ query: introspectionOfDepth(40).replace('query', 'subscription') }),
          extensions: { authorization: auth },
        },
      });
      expect((await client.next('error', 'deep')).payload).toMatchObject({
        errors: expect.arrayContaining([
          expect.objectContaining({
            errorType: 'ValidationError',
            message: 'Validation error: Query depth exceeds the maximum allowed depth of 10.',
          }),
        ]),
      });
      expect((await client.next('error', 'x')).payload).toEqual({
        errors: [{ errorType: 'BadRequestException', message: 'start payload data is not JSON.' }],
      });
      expect(
        client.messages.filter((m) => m.type === 'error' && m.id === undefined).map((m) => m.payload),
      ).toContainEqual({
        errors: [{ errorType: 'BadRequestException', message: 'Invalid message.' }],
      });
      // Over the 256 KiB frame limit: the server closes the socket (1009, message too big).
      client.send({
        type: 'start',
        id: 'big',
        payload: { data: 'x'.repeat(300 * 1024), extensions: { authorization: auth } },
      });
      await client.closed;
    } finally {
      client.close();
    }
    await expectHealthy(t);
  });
});
