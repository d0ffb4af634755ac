/**
 * The web app's own client modules (auth client, Amplify transport, zod-parsed API) against the
 * local stand-ins: cognito-local and the local AppSync server, with fixture resolvers. Proves the
 * app's GraphQL documents validate against contracts/schema.graphql, its parsers accept what the
 * server sends, stable error codes survive Amplify's error shape, and live updates arrive over the
 * realtime protocol through the app's ws:// rewrite. The browser journey builds on this.
 */
import { Amplify } from 'aws-amplify';
import { Hub } from 'aws-amplify/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';
import type { AppSyncEvent, AppSyncResolver } from '../../../infra/local/appsync/index.js';
import { AppSyncError } from '../../../infra/local/appsync/index.js';
import { adminAddUserToGroup, readConfirmationCode } from '../../../infra/local/cognito/index.js';
import { createAmplifyTransport } from '../../../web/src/api/amplify-transport.js';
import { createEvApi, type EvApi } from '../../../web/src/api/ev-api.js';
import type { ChargingSession } from '../../../web/src/api/schemas.js';
import { type AuthClient, createAuthClient } from '../../../web/src/auth/auth-client.js';
import {
  amplifyResources,
  parseRuntimeConfig,
  resolveAuthFlowType,
  rewriteRealtimeUrl,
} from '../../../web/src/config/runtime-config.js';
import { ApiError } from '../../../web/src/lib/api-errors.js';
import { iamGraphql } from '../../support/iam-graphql.js';
import { type ApiStack, LOCAL_IAM, startApiStack } from '../../support/local-api-stack.js';

const PASSWORD = 'Passw0rd!local';
const TARIFF = { milliYenPerKwh: 55_500, sessionFeeYen: 0, milliYenPerMinute: 0 };
const station = (id: string, status: string) => ({
  id,
  name: `Lot A / ${id}`,
  site: 'Lot A',
  model: 'breaker',
  ratedW: 3000,
  voltageV: 200,
  tariff: TARIFF,
  status,
  unavailableReason: status === 'AVAILABLE' ? null : 'in use',
  breaker: 'open',
  powerW: null,
  updatedAt: '2025-01-01T00:00:00.000Z',
});

function sessionFor(driverId: string, overrides: Record<string, unknown> = {}) {
  return {
    id: 'sess-1',
    driverId,
    stationId: 'st-free',
    state: 'AWAITING_PAYMENT_METHOD',
    tariff: TARIFF,
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: null,
    endedAt: null,
    powerW: null,
    energyWh: null,
    runningCostYen: null,
    amountYen: null,
    exposureCapYen: 3000,
    exposureCapWh: null,
    stopReason: null,
    failureCode: null,
    failureMessage: null,
    checkoutUrl: 'http://127.0.0.1:1/checkout/cs_1',
    receipt: null,
    updatedAt: new Date().toISOString(),
    ...overrides,
  };
}

const PUBLISH_SESSION = `mutation Publish($input: SessionUpdateInput!) {
  publishSessionUpdate(input: $input) {
    id driverId stationId state tariff { milliYenPerKwh sessionFeeYen milliYenPerMinute } createdAt startedAt
    endedAt powerW energyWh runningCostYen amountYen exposureCapYen exposureCapWh stopReason failureCode
    failureMessage checkoutUrl
    receipt { startRegisterWh stopRegisterWh energyWh sessionAmountYen carriedInYen chargedYen cardBrand cardLast4
      paymentIntentId paidAt }
    updatedAt
  }
}`;

/** Resolves once Amplify reports the server's start_ack for a subscription (its Hub 'api' channel). */
function nextSubscriptionAck(timeoutMs = 5_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error('no subscription ack'));
    }, timeoutMs);
    const stop = Hub.listen('api', ({ payload }) => {
      if (payload.event !== 'Subscription ack') return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

describe('web app client against cognito-local and the local AppSync server', () => {
  const calls: AppSyncEvent[] = [];
  const record =
    (fn: (event: AppSyncEvent) => unknown): AppSyncResolver =>
    async (event) => {
      calls.push(event);
      return fn(event);
    };
  const subOf = (event: AppSyncEvent): string =>
    event.identity && 'sub' in event.identity ? event.identity.sub : 'unknown';
  const resolvers: Record<string, AppSyncResolver> = {
    'Query.stations': record(() => [station('st-free', 'AVAILABLE'), station('st-busy', 'CHARGING')]),
    'Query.me': record((e) => ({
      id: subOf(e),
      email: null,
      balanceYen: 0,
      hasCard: false,
      cardBrand: null,
      cardLast4: null,
      blocked: false,
      outstandingYen: 0,
      isOperator: false,
    })),
    'Query.session': record((e) => (e.arguments.id === 'sess-1' ? sessionFor(subOf(e)) : null)),
    'Mutation.startCharge': record((e) => {
      if (e.arguments.stationId === 'st-busy') throw new AppSyncError('STATION.BUSY', 'Station is in use');
      const session = sessionFor(subOf(e));
      return { session, checkoutUrl: session.checkoutUrl };
    }),
    'Mutation.publishSessionUpdate': record((e) => e.arguments.input),
  };
  const email = `web-client-${Date.now()}@example.com`;
  let stack: ApiStack;
  let auth: AuthClient;
  let api: EvApi;

  beforeAll(async () => {
    stack = await startApiStack({
      resolvers,
      subscriptionFilters: {
        'Subscription.onSessionUpdate': (payload, identity) =>
          'sub' in identity && typeof payload === 'object' && payload !== null
            ? Reflect.get(payload, 'driverId') === identity.sub
            : false,
      },
    });
    const config = parseRuntimeConfig({
      region: 'local',
      userPoolId: stack.cognito.userPoolId,
      userPoolClientId: stack.cognito.clientId,
      userPoolEndpoint: stack.cognito.endpoint,
      graphqlEndpoint: stack.appsync.url,
    });
    // What configureAmplify does in the browser, with the `ws` package standing in for window.WebSocket.
    class RewritingWebSocket extends WsWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(rewriteRealtimeUrl(String(url), config.graphqlEndpoint), protocols);
      }
    }
    Object.defineProperty(globalThis, 'WebSocket', { value: RewritingWebSocket, configurable: true, writable: true });
    Amplify.configure(amplifyResources(config));
    auth = createAuthClient(resolveAuthFlowType(config));
    api = createEvApi(createAmplifyTransport());
  });

  afterAll(async () => {
    await auth?.signOut().catch(() => undefined);
    await stack?.stop();
  });

  it('signs up, confirms with the e-mailed code and signs in with USER_PASSWORD_AUTH', async () => {
    await expect(auth.currentUser()).resolves.toBeNull();
    await expect(auth.signUp(email, PASSWORD)).resolves.toBe('needsConfirmation');
    // Amplify answers an unconfirmed sign-in with a next step, not an error: the app shows the code form.
    await expect(auth.signIn(email, PASSWORD)).resolves.toBe('needsConfirmation');
    await expect(auth.confirm(email, '000000')).rejects.toMatchObject({ name: 'CodeMismatchException' });
    await auth.confirm(email, await readConfirmationCode(stack.cognito, email));
    await expect(auth.signIn(email, PASSWORD)).resolves.toBe('signedIn');
    expect((await auth.currentUser())?.userId).toMatch(/\S/);
    await expect(auth.groups()).resolves.toEqual([]);
  });

  it('reads stations and the driver through the schema-validated documents', async () => {
    const stations = await api.stations();
    expect(stations.map((s) => [s.id, s.status])).toEqual([
      ['st-free', 'AVAILABLE'],
      ['st-busy', 'CHARGING'],
    ]);
    const me = await api.me();
    expect(me.id).toBe((await auth.currentUser())?.userId);
    await expect(api.session('nope')).resolves.toBeNull();
  });

  it('starts with the idempotency key and gets the Checkout URL back', async () => {
    const result = await api.startCharge('st-free', 'intent-1');
    expect(result.checkoutUrl).toBe('http://127.0.0.1:1/checkout/cs_1');
    expect(result.session.state).toBe('AWAITING_PAYMENT_METHOD');
    const call = calls.findLast((c) => c.info.fieldName === 'startCharge');
    expect(call?.arguments).toEqual({ stationId: 'st-free', idempotencyKey: 'intent-1' });
  });

  it('turns a coded resolver error into the same ApiError code the screens map', async () => {
    const failure = await api.startCharge('st-busy', 'intent-2').catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApiError);
    expect(failure).toMatchObject({ code: 'STATION.BUSY', isDefinite: true, messageKey: 'api.error.stationBusy' });
  });

  it('receives live session updates over the realtime protocol, parsed', async () => {
    const driverId = (await auth.currentUser())?.userId ?? '';
    const updates: ChargingSession[] = [];
    const errors: ApiError[] = [];
    const acked = nextSubscriptionAck();
    const unsubscribe = api.onSessionUpdate(
      'sess-1',
      (s) => updates.push(s),
      (e) => errors.push(e),
    );
    try {
      await acked;
      const input = sessionFor(driverId, { state: 'CHARGING', powerW: 2950.5, energyWh: 420, runningCostYen: 23 });
      const published = await iamGraphql(stack.appsync.url, LOCAL_IAM, PUBLISH_SESSION, { input });
      expect(published.status).toBe(200);
      const deadline = Date.now() + 5_000;
      while (updates.length === 0 && errors.length === 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(errors).toEqual([]);
      expect(updates.map((u) => [u.state, u.energyWh, u.powerW, u.exposureCapYen])).toEqual([
        ['CHARGING', 420, 2950.5, 3000],
      ]);
    } finally {
      unsubscribe();
    }
  });

  it('reports the operators group from the ID token after signing in again', async () => {
    await adminAddUserToGroup(stack.cognito, email, 'operators');
    await auth.signOut();
    await expect(auth.currentUser()).resolves.toBeNull();
    await auth.signIn(email, PASSWORD);
    await expect(auth.groups()).resolves.toEqual(['operators']);
  });
});
