import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppSyncEvent, AppSyncResolver, LocalAppSync } from '../../../infra/local/appsync/index.js';
import { AppSyncError, startLocalAppSync } from '../../../infra/local/appsync/index.js';
import {
  createAppClient,
  createOtherPool,
  type Tokens,
  tokensFor,
  tokensViaClient,
} from '../../support/cognito-tokens.js';
import { iamGraphql, rawGraphql } from '../../support/iam-graphql.js';
import { type ApiStack, LOCAL_IAM, SCHEMA_PATH, startApiStack } from '../../support/local-api-stack.js';
import { openRealtime } from '../../support/realtime-client.js';

const STATIONS = 'query { stations { id } }';
const PUBLISH = /* GraphQL */ `
  mutation P($input: StationUpdateInput!) { publishStationUpdate(input: $input) { id status } }
`;
const STATION_INPUT = {
  id: 'st-1',
  name: 'Lot A / 1',
  site: 'Lot A',
  model: 'breaker',
  ratedW: 3000,
  voltageV: 200,
  tariff: { milliYenPerKwh: 55_500, sessionFeeYen: 0, milliYenPerMinute: 0 },
  status: 'OFFLINE',
};
const unauthorized = (message: string | RegExp) => ({
  errors: [{ errorType: 'UnauthorizedException', message: expect.stringMatching(message) }],
});

describe('local AppSync authentication and authorization', () => {
  const calls: AppSyncEvent[] = [];
  const resolvers: Record<string, AppSyncResolver> = {
    'Query.stations': async (event) => {
      calls.push(event);
      return [{ id: 'st-1' }];
    },
    'Mutation.publishStationUpdate': async (event) => {
      calls.push(event);
      return event.arguments.input;
    },
    // Runs at subscribe time, as an AppSync subscription resolver does: it may refuse the start
    'Subscription.onSessionUpdate': async (event) => {
      calls.push(event);
      if (event.arguments.id === 'not-mine') throw new AppSyncError('SESSION.NOT_YOURS', 'Not your session');
      return null;
    },
  };
  let stack: ApiStack;
  let driver: Tokens;

  beforeAll(async () => {
    stack = await startApiStack({ resolvers });
    driver = await tokensFor(stack.cognito.endpoint, stack.cognito, `driver-${Date.now()}@example.com`);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('accepts the configured client’s access token and id token', async () => {
    for (const token of [driver.accessToken, driver.idToken]) {
      const res = await rawGraphql(stack.appsync.url, token, STATIONS);
      expect(res).toEqual({ status: 200, body: { data: { stations: [{ id: 'st-1' }] } } });
    }
  });

  it('answers 401 UnauthorizedException without an Authorization header or with garbage', async () => {
    expect(await rawGraphql(stack.appsync.url, undefined, STATIONS)).toEqual({
      status: 401,
      body: unauthorized('Valid authorization header not provided.'),
    });
    expect(await rawGraphql(stack.appsync.url, 'not-a-jwt', STATIONS)).toMatchObject({
      status: 401,
      body: unauthorized(/.+/),
    });
  });

  it('rejects a token whose payload was altered after signing', async () => {
    const [header, payload, signature] = driver.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
    const res = await rawGraphql(stack.appsync.url, `${header}.${forged}.${signature}`, STATIONS);
    expect(res).toMatchObject({ status: 401, body: unauthorized(/signature/i) });
  });

  it('rejects a token from another user pool (same signing key, wrong issuer)', async () => {
    const other = await createOtherPool(stack.cognito.endpoint);
    const stranger = await tokensFor(stack.cognito.endpoint, other, `stranger-${Date.now()}@example.com`);
    const res = await rawGraphql(stack.appsync.url, stranger.accessToken, STATIONS);
    expect(res).toMatchObject({ status: 401, body: unauthorized(/issuer/i) });
  });

  it('rejects access and id tokens issued to another app client of the same pool', async () => {
    const otherClient = await createAppClient(stack.cognito.endpoint, stack.cognito.userPoolId);
    const email = `other-client-${Date.now()}@example.com`;
    await tokensFor(stack.cognito.endpoint, stack.cognito, email);
    const viaOther = await tokensViaClient(stack.cognito.endpoint, otherClient, email);
    for (const token of [viaOther.accessToken, viaOther.idToken]) {
      const res = await rawGraphql(stack.appsync.url, token, STATIONS);
      expect(res).toMatchObject({ status: 401, body: unauthorized('Token was not issued for this client.') });
    }
  });

  it('rejects an expired token that it accepted a moment before', async () => {
    const shortClient = await createAppClient(stack.cognito.endpoint, stack.cognito.userPoolId, 1);
    const api: LocalAppSync = await startLocalAppSync({
      schemaPath: SCHEMA_PATH,
      cognito: { issuer: stack.cognito.issuer, clientId: shortClient, jwksUrl: stack.cognito.jwksUrl },
      iam: LOCAL_IAM,
      resolvers,
    });
    try {
      const email = `short-${Date.now()}@example.com`;
      await tokensFor(stack.cognito.endpoint, stack.cognito, email);
      const short = await tokensViaClient(stack.cognito.endpoint, shortClient, email);
      expect((await rawGraphql(api.url, short.accessToken, STATIONS)).status).toBe(200);
      await sleep(2_100);
      expect(await rawGraphql(api.url, short.accessToken, STATIONS)).toEqual({
        status: 401,
        body: unauthorized('Token has expired.'),
      });
    } finally {
      await api.close();
    }
  });

  it('verifies IAM SigV4: right credentials pass, a wrong secret or a body changed after signing fail', async () => {
    const ok = await iamGraphql(stack.appsync.url, LOCAL_IAM, PUBLISH, { input: STATION_INPUT });
    expect(ok).toEqual({ status: 200, body: { data: { publishStationUpdate: { id: 'st-1', status: 'OFFLINE' } } } });

    const wrongSecret = await iamGraphql(stack.appsync.url, { ...LOCAL_IAM, secretAccessKey: 'guess' }, PUBLISH, {
      input: STATION_INPUT,
    });
    expect(wrongSecret).toMatchObject({ status: 401, body: unauthorized(/signature/) });

    const tampered = await iamGraphql(stack.appsync.url, LOCAL_IAM, PUBLISH, { input: STATION_INPUT }, (body) =>
      body.replace('OFFLINE', 'AVAILABLE'),
    );
    expect(tampered.status).toBe(401);
  });

  it('keeps each auth mode to its fields: IAM cannot query stations, a driver cannot publish', async () => {
    const before = calls.length;
    const iamQuery = await iamGraphql(stack.appsync.url, LOCAL_IAM, STATIONS);
    expect(iamQuery).toEqual({
      status: 200,
      body: {
        data: null,
        errors: [
          expect.objectContaining({
            errorType: 'Unauthorized',
            message: 'Not Authorized to access stations on type Query',
            path: ['stations'],
          }),
        ],
      },
    });
    const driverPublish = await rawGraphql(stack.appsync.url, driver.accessToken, PUBLISH, { input: STATION_INPUT });
    expect(driverPublish.body).toMatchObject({
      data: null,
      errors: [{ errorType: 'Unauthorized', path: ['publishStationUpdate'] }],
    });
    expect(calls.length).toBe(before);
  });

  it('closes a realtime connection without valid auth with connection_error', async () => {
    const host = new URL(stack.appsync.url).host;
    const client = await openRealtime(stack.appsync.realtimeUrl, { host, Authorization: 'not-a-jwt' });
    client.send({ type: 'connection_init' });
    const error = await client.next('connection_error');
    expect(error.payload).toMatchObject({ errors: [{ errorType: 'UnauthorizedException' }] });
    await client.closed;
  });

  it('also takes connection auth from the older ?header= query parameter', async () => {
    const host = new URL(stack.appsync.url).host;
    const client = await openRealtime(stack.appsync.realtimeUrl, { host, Authorization: driver.accessToken }, 'query');
    try {
      client.send({ type: 'connection_init' });
      await client.next('connection_ack');
      await client.next('ka');
    } finally {
      client.close();
    }
  });

  it('refuses a start with a bad token, malformed arguments or a refusing subscribe resolver; serves a good one', async () => {
    const host = new URL(stack.appsync.url).host;
    const client = await openRealtime(stack.appsync.realtimeUrl, { host, Authorization: driver.accessToken });
    try {
      client.send({ type: 'connection_init' });
      expect((await client.next('connection_ack')).payload).toEqual({ connectionTimeoutMs: 300_000 });
      const start = (id: string, query: string, authorization: string) =>
        client.send({
          id,
          type: 'start',
          payload: {
            data: JSON.stringify({ query, variables: {} }),
            extensions: { authorization: { host, Authorization: authorization } },
          },
        });
      start('bad-token', 'subscription { onStationUpdate { id } }', 'not-a-jwt');
      expect((await client.next('error', 'bad-token')).payload).toMatchObject({
        errors: [{ errorType: 'UnauthorizedException' }],
      });
      start('bad-args', 'subscription { onSessionUpdate { id } }', driver.accessToken);
      expect((await client.next('error', 'bad-args')).payload).toMatchObject({
        errors: [{ errorType: 'ValidationError' }],
      });
      start('not-mine', 'subscription { onSessionUpdate(id: "not-mine") { id } }', driver.accessToken);
      expect((await client.next('error', 'not-mine')).payload).toEqual({
        errors: [{ errorType: 'SESSION.NOT_YOURS', message: 'Not your session' }],
      });
      expect(calls.at(-1)).toMatchObject({
        arguments: { id: 'not-mine' },
        identity: { sub: driver.sub },
        info: { fieldName: 'onSessionUpdate', parentTypeName: 'Subscription', selectionSetList: ['id'] },
      });
      start('good', 'subscription { onStationUpdate { id status } }', driver.accessToken);
      await client.next('start_ack', 'good');
      await iamGraphql(stack.appsync.url, LOCAL_IAM, PUBLISH, { input: STATION_INPUT });
      expect((await client.next('data', 'good')).payload).toEqual({
        data: { onStationUpdate: { id: 'st-1', status: 'OFFLINE' } },
      });
      client.send({ id: 'good', type: 'stop' });
      await client.next('complete', 'good');
    } finally {
      client.close();
    }
  });
});
