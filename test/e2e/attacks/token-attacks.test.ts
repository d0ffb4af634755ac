/**
 * Token attacks on both doors of the API of the running local stack (issue 9): POST /graphql and the
 * realtime WebSocket's connect. Forged (`alg: none`, HS256 with the public key, a stranger's key,
 * edited claims), expired, not yet valid, another pool's, another app client's, a refresh-type and
 * garbage tokens are each refused with 401 / connection_error and the reason, and write nothing.
 * AppSync takes both Cognito token kinds (access and id) in user-pool mode: so does the local server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppClient, createOtherPool, type Tokens, tokensFor } from '../../support/cognito-tokens.js';
import { rawGraphql } from '../../support/iam-graphql.js';
import { expectHealthy } from '../../support/invariants.js';
import { Q, uniqueEmail } from '../../support/journey.js';
import { openRealtime, type RealtimeMessage } from '../../support/realtime-client.js';
import { startTestStack, type TestStack } from '../../support/test-stack.js';
import { newKey, shortLivedTokens } from '../support-flows.js';
import { decodeJwt, forgedTokens, signRs256, snapshot } from './attack-kit.js';

let t: TestStack;
let mallory: Tokens;
let victim: Tokens;

beforeAll(async () => {
  t = await startTestStack({ EV_STATIONS: '5' });
  const pool = { userPoolId: t.stack.urls.userPoolId, clientId: t.stack.urls.clientId };
  [mallory, victim] = await Promise.all([
    tokensFor(t.stack.urls.cognito, pool, uniqueEmail('mallory')),
    tokensFor(t.stack.urls.cognito, pool, uniqueEmail('victim')),
  ]);
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

/** What the connect door answers first: connection_ack, or connection_error (then the socket closes). */
async function connectWith(authorization: string | undefined): Promise<{ first: RealtimeMessage; closed: boolean }> {
  const host = new URL(t.stack.urls.graphql).host;
  const client = await openRealtime(
    t.stack.urls.realtime,
    authorization === undefined ? { host } : { host, Authorization: authorization },
  );
  try {
    client.send({ type: 'connection_init' });
    const deadline = Date.now() + 5_000;
    while (client.messages.length === 0 && Date.now() < deadline) await sleep(10);
    const first = client.messages[0];
    if (!first) throw new Error('no answer to connection_init');
    const closed =
      first.type === 'connection_error' &&
      (await Promise.race([client.closed.then(() => true), sleep(2_000).then(() => false)]));
    return { first, closed };
  } finally {
    client.close();
  }
}

const startVars = () => ({ stationId: 'TKY-SBY-01', key: newKey('attack') });

/** Both doors refuse the token with the same reason, and the mutation behind it wrote nothing. */
async function expectRefused(what: string, authorization: string | undefined, message: RegExp | string) {
  const http = await rawGraphql(t.stack.urls.graphql, authorization, Q.start, startVars());
  expect(http, what).toEqual({
    status: 401,
    body: { errors: [{ errorType: 'UnauthorizedException', message: expect.stringMatching(message) }] },
  });
  const ws = await connectWith(authorization);
  expect(ws.first, what).toEqual({
    type: 'connection_error',
    payload: {
      errors: [{ errorType: 'UnauthorizedException', errorCode: 401, message: expect.stringMatching(message) }],
    },
  });
  expect(ws.closed, `${what}: socket closed`).toBe(true);
}

/** A token with this pool's signing key and issuer, and claims of the caller's choosing. */
function minted(claims: Record<string, unknown>, from = mallory.accessToken): string {
  const { header, payload } = decodeJwt(from);
  return signRs256(header, { ...payload, ...claims });
}

describe('tokens at POST /graphql and the realtime connect', () => {
  it('serves both Cognito token kinds of this pool and app client (as AppSync does)', async () => {
    for (const token of [mallory.accessToken, mallory.idToken, `Bearer ${mallory.accessToken}`]) {
      expect((await rawGraphql(t.stack.urls.graphql, token, Q.stations)).status).toBe(200);
      expect((await connectWith(token)).first).toEqual({
        type: 'connection_ack',
        payload: { connectionTimeoutMs: 300_000 },
      });
    }
  });

  it('refuses forged, garbage and missing tokens, and writes nothing', async () => {
    const before = await snapshot(t);
    await expectRefused('no header', undefined, 'Valid authorization header not provided.');
    await expectRefused('empty bearer', 'Bearer ', /./);
    await expectRefused('not a JWT', 'not-a-jwt', /./);
    for (const [what, token] of Object.entries(forgedTokens(mallory.accessToken, victim.sub))) {
      await expectRefused(what, token, /./);
    }
    // Spot-check that the reasons say what is wrong, not just "no".
    const none = forgedTokens(mallory.accessToken, victim.sub)['alg none'];
    expect((await rawGraphql(t.stack.urls.graphql, none, Q.stations)).body).toMatchObject({
      errors: [{ message: expect.stringMatching(/alg|signature|none/i) }],
    });
    expect(await snapshot(t)).toEqual(before);
  });

  it('refuses expired, not-yet-valid, refresh-type and wrong-issuer tokens even with a valid signature', async () => {
    const before = await snapshot(t);
    const now = Math.floor(Date.now() / 1000);
    await expectRefused('expired an hour ago', minted({ exp: now - 3_600, iat: now - 7_200 }), 'Token has expired.');
    await expectRefused('not valid for an hour', minted({ nbf: now + 3_600 }), /not before|nbf|can't be used before/i);
    await expectRefused('refresh token use', minted({ token_use: 'refresh' }), 'Token use must be access or id.');
    await expectRefused('no token use', minted({ token_use: undefined }), 'Token use must be access or id.');
    await expectRefused(
      'id token for another client',
      minted({ aud: 'another-client' }, mallory.idToken),
      'Token was not issued for this client.',
    );
    await expectRefused(
      'access token for another client',
      minted({ client_id: 'another-client' }),
      'Token was not issued for this client.',
    );
    const otherIssuer = `${t.stack.urls.cognito}/local_0ther00`;
    await expectRefused('another issuer', minted({ iss: otherIssuer }), /issuer/i);
    expect(await snapshot(t)).toEqual(before);
  });

  it("refuses another user pool's and another app client's real tokens", async () => {
    const otherPool = await createOtherPool(t.stack.urls.cognito);
    const stranger = await tokensFor(t.stack.urls.cognito, otherPool, uniqueEmail('stranger'));
    const otherClient = await createAppClient(t.stack.urls.cognito, t.stack.urls.userPoolId);
    const pool = { userPoolId: t.stack.urls.userPoolId, clientId: otherClient };
    const sideways = await tokensFor(t.stack.urls.cognito, pool, uniqueEmail('sideways'));
    const before = await snapshot(t);
    await expectRefused('other pool, access', stranger.accessToken, /issuer/i);
    await expectRefused('other pool, id', stranger.idToken, /issuer/i);
    await expectRefused('other client, access', sideways.accessToken, 'Token was not issued for this client.');
    await expectRefused('other client, id', sideways.idToken, 'Token was not issued for this client.');
    expect(await snapshot(t)).toEqual(before);
  });

  it('refuses a real token once it has expired, on both doors', async () => {
    // exp has whole-second resolution: 3 s leaves at least 2 s for the control on a loaded machine.
    const short = await shortLivedTokens(t.stack, uniqueEmail('short'), 3);
    expect((await connectWith(short.accessToken)).first.type).toBe('connection_ack');
    const exp = Number(decodeJwt(short.accessToken).payload.exp);
    await sleep(Math.max(0, exp * 1000 + 1_100 - Date.now()));
    const before = await snapshot(t);
    await expectRefused('expired access', short.accessToken, 'Token has expired.');
    await expectRefused('expired id', short.idToken, 'Token has expired.');
    expect(await snapshot(t)).toEqual(before);
  });

  it('refuses a start whose own authorization is forged, on a connection that is valid', async () => {
    const host = new URL(t.stack.urls.graphql).host;
    const client = await openRealtime(t.stack.urls.realtime, { host, Authorization: mallory.accessToken });
    try {
      client.send({ type: 'connection_init' });
      await client.next('connection_ack');
      const forged = forgedTokens(mallory.accessToken, victim.sub);
      const cases: [string, Record<string, string>][] = [
        ['alg-none', { host, Authorization: forged['alg none'] ?? '' }],
        ['victim-claims', { host, Authorization: forged['claims changed to another user'] ?? '' }],
        ['no-auth', { host }],
      ];
      for (const [id, authorization] of cases) {
        client.send({
          id,
          type: 'start',
          payload: {
            data: JSON.stringify({ query: 'subscription { onStationUpdate { id status } }', variables: {} }),
            extensions: { authorization },
          },
        });
        expect((await client.next('error', id)).payload, id).toMatchObject({
          errors: [{ errorType: 'UnauthorizedException' }],
        });
      }
      expect(client.messages.filter((m) => m.type === 'start_ack')).toEqual([]);
    } finally {
      client.close();
    }
    await expectHealthy(t);
  });
});
