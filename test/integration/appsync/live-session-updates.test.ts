import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppSyncEvent, AppSyncResolver } from '../../../infra/local/appsync/index.js';
import { AppSyncError } from '../../../infra/local/appsync/index.js';
import { readConfirmationCode } from '../../../infra/local/cognito/index.js';
import { SUBSCRIPTION_FILTERS } from '../../../infra/local/stack/graphql-resolvers.js';
import { AmplifyNodeUser } from '../../support/amplify-node.js';
import { iamGraphql } from '../../support/iam-graphql.js';
import { type ApiStack, LOCAL_IAM, startApiStack } from '../../support/local-api-stack.js';

const PASSWORD = 'Passw0rd!local';
const TARIFF = { milliYenPerKwh: 55_500, sessionFeeYen: 0, milliYenPerMinute: 0 };
const STATION = {
  id: 'st-1',
  name: 'Lot A / 1',
  site: 'Lot A',
  model: 'breaker',
  ratedW: 3000,
  voltageV: 200,
  tariff: TARIFF,
  status: 'AVAILABLE',
};

const ON_SESSION_UPDATE = /* GraphQL */ `
  subscription OnSessionUpdate($id: ID!) {
    onSessionUpdate(id: $id) { id driverId state energyWh runningCostYen }
  }
`;
const PUBLISH_SESSION_UPDATE = /* GraphQL */ `
  mutation Publish($input: SessionUpdateInput!) {
    publishSessionUpdate(input: $input) { id driverId stationId state energyWh runningCostYen updatedAt }
  }
`;

function sessionInput(id: string, driverId: string, energyWh: number) {
  return {
    id,
    driverId,
    stationId: STATION.id,
    state: 'CHARGING',
    tariff: TARIFF,
    createdAt: '2025-01-01T00:00:00.000Z',
    energyWh,
    runningCostYen: Math.floor((energyWh * TARIFF.milliYenPerKwh) / 1_000_000),
    updatedAt: new Date().toISOString(),
  };
}

const ON_MY_SESSION_UPDATES = /* GraphQL */ `
  subscription Mine { onMySessionUpdates { id driverId state energyWh } }
`;
type OnMySessionUpdates = { onMySessionUpdates: { id: string; driverId: string; energyWh: number } };

type OnSessionUpdate = { onSessionUpdate: { id: string; driverId: string; energyWh: number } };

describe('local AppSync + cognito-local with the real aws-amplify v6 client', () => {
  const calls: AppSyncEvent[] = [];
  const confirmations: unknown[] = [];
  const record =
    (fn: (event: AppSyncEvent) => unknown): AppSyncResolver =>
    async (event) => {
      calls.push(event);
      return fn(event);
    };
  const resolvers: Record<string, AppSyncResolver> = {
    'Query.stations': record(() => [STATION]),
    'Query.station': record((e) => (e.arguments.id === STATION.id ? STATION : null)),
    'Mutation.stopCharge': record(() => {
      throw new AppSyncError('SESSION.NOT_FOUND', 'No such session');
    }),
    // AppSync's NONE data source: the publish mutation returns its input
    'Mutation.publishSessionUpdate': record((e) => e.arguments.input),
  };
  let stack: ApiStack;
  const alice = { email: `alice-${Date.now()}@example.com`, user: undefined as AmplifyNodeUser | undefined };
  const bob = { email: `bob-${Date.now()}@example.com`, user: undefined as AmplifyNodeUser | undefined };

  beforeAll(async () => {
    stack = await startApiStack({
      resolvers,
      // The local stack's own owner-only rules (infra/local/stack/graphql-resolvers.ts).
      subscriptionFilters: SUBSCRIPTION_FILTERS,
      postConfirmation: async (event) => {
        confirmations.push(event);
        return event;
      },
    });
  });

  afterAll(async () => {
    await alice.user?.dispose();
    await bob.user?.dispose();
    await stack?.stop();
  });

  it('signs a driver up, confirms with the code cognito-local issued and runs PostConfirmation via Lambda Invoke', async () => {
    const user = new AmplifyNodeUser(stack.target);
    const signUp = await user.signUp(alice.email, PASSWORD);
    expect(signUp.nextStep.signUpStep).toBe('CONFIRM_SIGN_UP');

    const code = await readConfirmationCode(stack.cognito, alice.email);
    const confirmed = await user.confirmSignUp(alice.email, code);
    expect(confirmed.isSignUpComplete).toBe(true);

    expect(confirmations).toEqual([
      expect.objectContaining({
        triggerSource: 'PostConfirmation_ConfirmSignUp',
        userPoolId: stack.cognito.userPoolId,
        userName: signUp.userId,
        request: expect.objectContaining({
          userAttributes: expect.objectContaining({ email: alice.email, sub: signUp.userId }),
        }),
      }),
    ]);

    const signIn = await user.signIn(alice.email, PASSWORD);
    expect(signIn.isSignedIn).toBe(true);
    expect(await user.sub()).toBe(signUp.userId);
    alice.user = user;
  });

  it('runs query resolvers with AppSync-shaped events carrying the caller identity', async () => {
    const user = alice.user!;
    const res = await user.graphql<{ stations: Array<{ id: string; tariff: { milliYenPerKwh: number } }> }>(
      'query { stations { id tariff { milliYenPerKwh } } }',
    );
    expect(res.errors).toEqual([]);
    expect(res.data?.stations).toEqual([{ id: 'st-1', tariff: { milliYenPerKwh: 55_500 } }]);

    const event = calls.at(-1);
    expect(event?.info).toMatchObject({
      fieldName: 'stations',
      parentTypeName: 'Query',
      selectionSetList: ['id', 'tariff', 'tariff/milliYenPerKwh'],
    });
    expect(event?.identity).toMatchObject({
      sub: await user.sub(),
      issuer: stack.cognito.issuer,
      defaultAuthStrategy: 'ALLOW',
    });
    expect(event?.source).toBeNull();
    expect(event?.prev).toBeNull();
  });

  it('turns a resolver error into errors[{errorType, message, path}] with a null field', async () => {
    const res = await alice.user!.graphql('mutation { stopCharge(sessionId: "nope") { id } }');
    expect(res.data).toBeNull();
    expect(res.errors).toEqual([
      expect.objectContaining({ errorType: 'SESSION.NOT_FOUND', message: 'No such session', path: ['stopCharge'] }),
    ]);
  });

  it('rejects malformed arguments as ValidationError before any resolver runs', async () => {
    const before = calls.length;
    const missing = await alice.user!.graphql('query { station { id } }');
    const wrongType = await alice.user!.graphql('query Q($id: ID!) { station(id: $id) { id } }', { id: { no: 1 } });
    const badScalar = await iamGraphql(stack.appsync.url, LOCAL_IAM, PUBLISH_SESSION_UPDATE, {
      input: { ...sessionInput('s-x', 'd-x', 1), createdAt: 'yesterday' },
    });
    expect(missing.errors?.[0]?.errorType).toBe('ValidationError');
    expect(wrongType.errors?.[0]?.errorType).toBe('ValidationError');
    expect(badScalar.body).toMatchObject({ data: null, errors: [{ errorType: 'ValidationError' }] });
    expect(calls.length).toBe(before);
  });

  it("delivers an IAM-published session update to its owner's subscription and not to another user's", async () => {
    const bobUser = new AmplifyNodeUser(stack.target);
    await bobUser.signUp(bob.email, PASSWORD);
    await bobUser.confirmSignUp(bob.email, await readConfirmationCode(stack.cognito, bob.email));
    await bobUser.signIn(bob.email, PASSWORD);
    bob.user = bobUser;
    const aliceSub = await alice.user!.sub();
    const sessionId = 'sess-alice-1';

    const ownerSub = alice.user!.subscribe<OnSessionUpdate>(ON_SESSION_UPDATE, { id: sessionId });
    await ownerSub.ready;
    // Bob subscribes with Alice's session id: the argument matches, ownership must still stop him
    const intruderSub = bobUser.subscribe<OnSessionUpdate>(ON_SESSION_UPDATE, { id: sessionId });
    await intruderSub.ready;
    const otherSession = alice.user!.subscribe<OnSessionUpdate>(ON_SESSION_UPDATE, { id: 'sess-other' });
    await otherSession.ready;

    const published = await iamGraphql(stack.appsync.url, LOCAL_IAM, PUBLISH_SESSION_UPDATE, {
      input: sessionInput(sessionId, aliceSub, 1_250),
    });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ data: { publishSessionUpdate: { id: sessionId, energyWh: 1_250 } } });
    const publishEvent = calls.at(-1);
    expect(publishEvent?.identity).toMatchObject({ accountId: expect.any(String), username: LOCAL_IAM.accessKeyId });

    const seen = await ownerSub.waitFor((e) => e.onSessionUpdate.energyWh === 1_250);
    expect(seen.onSessionUpdate).toEqual({
      id: sessionId,
      driverId: aliceSub,
      state: 'CHARGING',
      energyWh: 1_250,
      runningCostYen: 69,
    });
    // A second update proves delivery order and that the intruder got neither
    await iamGraphql(stack.appsync.url, LOCAL_IAM, PUBLISH_SESSION_UPDATE, {
      input: sessionInput(sessionId, aliceSub, 2_500),
    });
    await ownerSub.waitFor((e) => e.onSessionUpdate.energyWh === 2_500);
    expect(ownerSub.events.map((e) => e.onSessionUpdate.energyWh)).toEqual([1_250, 2_500]);
    expect(intruderSub.events).toEqual([]);
    expect(otherSession.events).toEqual([]);
    expect(ownerSub.errors).toEqual([]);
  });

  it('delivers every session of the caller to onMySessionUpdates (opened before any exists) and none of anyone else', async () => {
    const aliceSub = await alice.user!.sub();
    const bobSub = await bob.user!.sub();
    const mine = alice.user!.subscribe<OnMySessionUpdates>(ON_MY_SESSION_UPDATES, {});
    await mine.ready;
    const bobs = bob.user!.subscribe<OnMySessionUpdates>(ON_MY_SESSION_UPDATES, {});
    await bobs.ready;

    for (const input of [
      sessionInput('sess-alice-new-1', aliceSub, 100),
      sessionInput('sess-bob-1', bobSub, 300),
      sessionInput('sess-alice-new-2', aliceSub, 200),
    ]) {
      const published = await iamGraphql(stack.appsync.url, LOCAL_IAM, PUBLISH_SESSION_UPDATE, { input });
      expect(published.status).toBe(200);
    }
    await mine.waitFor((e) => e.onMySessionUpdates.id === 'sess-alice-new-2');
    await bobs.waitFor((e) => e.onMySessionUpdates.id === 'sess-bob-1');
    expect(mine.events.map((e) => e.onMySessionUpdates)).toEqual([
      { id: 'sess-alice-new-1', driverId: aliceSub, state: 'CHARGING', energyWh: 100 },
      { id: 'sess-alice-new-2', driverId: aliceSub, state: 'CHARGING', energyWh: 200 },
    ]);
    expect(bobs.events.map((e) => e.onMySessionUpdates.id)).toEqual(['sess-bob-1']);
    expect(mine.errors).toEqual([]);
    expect(bobs.errors).toEqual([]);
  });
});
