import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  documentClient,
  makeDynamoDbRepositories,
} from '../../../functions/src/adapters/dynamodb/dynamodb-repositories.js';
import { DynamoDbStoreError, InvalidPageTokenError } from '../../../functions/src/adapters/dynamodb/store-errors.js';
import {
  createTables,
  SESSIONS_BY_DRIVER,
  SESSIONS_BY_STATE,
  type TableNames,
} from '../../../functions/src/adapters/dynamodb/tables.js';
import { localDynamoDbClient } from '../../../infra/local/dynamodb/local-client.js';
import { dynamoHarness } from '../../contract/repositories/dynamo-harness.js';
import { aDriver, anEntry, aSession, moved } from '../../contract/repositories/fixtures.js';

const dynamo = dynamoHarness();

/** A client of its own per case, so middleware added here never leaks into other cases. */
let client: DynamoDBClient;
let names: TableNames;
let calls: string[];
/** When set, the next request of this operation is sent twice and only the second answer is seen. */
let replayNext: string | undefined;
let replayed: string[];

beforeEach(async () => {
  const tables = await dynamo.freshTables();
  names = tables.names;
  client = localDynamoDbClient(tables.endpoint);
  calls = [];
  replayNext = undefined;
  replayed = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String(context.commandName).replace(/Command$/, '');
      calls.push(op);
      if (replayNext === op) {
        replayNext = undefined;
        replayed.push(op);
        // The first attempt lands but its answer is "lost"; the SDK's retry is what the caller sees.
        await next(args);
      }
      return next(args);
    },
    { step: 'build', name: 'countAndReplay' },
  );
});

afterEach(() => client.destroy());

function repos() {
  return makeDynamoDbRepositories(documentClient(client), names, { eventTtlSeconds: 3_600 });
}

describe('DynamoDB session repository', () => {
  it('commits a transition with its ledger entries in ONE store call', async () => {
    const r = repos();
    const s = aSession();
    await r.sessions.create(s, anEntry(s, null, 'StartRequested'));
    const m = moved(s, 'ENERGIZING', 'CardSaved');
    calls = [];
    await r.sessions.commit({ session: m.next, expectedVersion: 1, entries: [m.entry] });
    expect(calls).toEqual(['UpdateItem']);
  });

  it('commits a session and driver change in ONE two-item transaction', async () => {
    const r = repos();
    const driver = await r.drivers.ensure(aDriver());
    const s = aSession({ driverId: driver.id });
    await r.sessions.create(s, anEntry(s, null, 'StartRequested'));
    const m = moved(s, 'CARRIED_OVER', 'AmountBelowMinimum');
    calls = [];
    const driverChange = { next: { ...driver, balanceYen: 20, version: 2 }, expectedVersion: 1 };
    await r.sessions.commit({ session: m.next, expectedVersion: 1, entries: [m.entry], driver: driverChange });
    expect(calls).toEqual(['TransactWriteItems']);
  });

  it('keeps the ledger inside the session item, and out of the indexes', async () => {
    const r = repos();
    const s = aSession();
    await r.sessions.create(s, anEntry(s, null, 'StartRequested'));
    const raw = await client.send(new GetItemCommand({ TableName: names.sessions, Key: { id: { S: s.id } } }));
    expect(raw.Item?.ledger?.L).toHaveLength(1);
    expect(raw.Item?.session?.M?.id?.S).toBe(s.id);
    const table = await client.send(new DescribeTableCommand({ TableName: names.sessions }));
    const indexes = table.Table?.GlobalSecondaryIndexes?.map((i) => [i.IndexName, i.Projection?.NonKeyAttributes]);
    expect(indexes?.sort()).toEqual([
      [SESSIONS_BY_DRIVER, ['session']],
      [SESSIONS_BY_STATE, ['session']],
    ]);
  });

  it('reports a commit whose answer was lost and retried as won, with its entries once', async () => {
    const r = repos();
    const s = aSession();
    await r.sessions.create(s, anEntry(s, null, 'StartRequested'));
    const m = moved(s, 'ENERGIZING', 'CardSaved');
    replayNext = 'UpdateItem';
    expect(await r.sessions.commit({ session: m.next, expectedVersion: 1, entries: [m.entry] })).toBe(true);
    expect(replayed).toEqual(['UpdateItem']);
    expect((await r.sessions.ledger(s.id)).map((e) => e.cause)).toEqual(['StartRequested', 'CardSaved']);
  });

  it('reports a transaction whose answer was lost and retried as won (client request token)', async () => {
    const r = repos();
    const driver = await r.drivers.ensure(aDriver());
    const s = aSession({ driverId: driver.id });
    await r.sessions.create(s, anEntry(s, null, 'StartRequested'));
    const m = moved(s, 'CARRIED_OVER', 'AmountBelowMinimum');
    const driverChange = { next: { ...driver, balanceYen: 20, version: 2 }, expectedVersion: 1 };
    replayNext = 'TransactWriteItems';
    expect(
      await r.sessions.commit({ session: m.next, expectedVersion: 1, entries: [m.entry], driver: driverChange }),
    ).toBe(true);
    expect(replayed).toEqual(['TransactWriteItems']);
    expect(await r.drivers.get(driver.id)).toEqual(driverChange.next);
  });

  it('reports a create whose answer was lost and retried as created', async () => {
    const r = repos();
    const s = aSession();
    replayNext = 'PutItem';
    expect(await r.sessions.create(s, anEntry(s, null, 'StartRequested'))).toEqual({ created: true, session: s });
    expect(replayed).toEqual(['PutItem']);
  });

  it('rejects a page token it did not issue', async () => {
    await expect(repos().sessions.listByDriver('drv_1', 10, 'not-a-token')).rejects.toBeInstanceOf(
      InvalidPageTokenError,
    );
  });

  it('fails loudly on a stored row that is not a session', async () => {
    await client.send(
      new PutItemCommand({
        TableName: names.sessions,
        Item: { id: { S: 'ses_bad' }, version: { N: '1' }, session: { M: { id: { S: 'ses_bad' } } } },
      }),
    );
    await expect(repos().sessions.get('ses_bad')).rejects.toThrow(/driverId/);
  });

  it('wraps unexpected store errors, keeping the SDK error as cause', async () => {
    const r = makeDynamoDbRepositories(documentClient(client), { ...names, sessions: 'no-such-table' });
    const error = await r.sessions.get('ses_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DynamoDbStoreError);
    expect((error as DynamoDbStoreError).cause).toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

describe('DynamoDB driver repository', () => {
  it('reports an update whose answer was lost and retried as won', async () => {
    const r = repos();
    const d = await r.drivers.ensure(aDriver());
    replayNext = 'PutItem';
    expect(await r.drivers.update({ ...d, balanceYen: 10, version: 2 }, 1)).toBe(true);
    expect(replayed).toEqual(['PutItem']);
  });
});

describe('DynamoDB processed events', () => {
  it('stores the id with an expiry (epoch seconds) that DynamoDB TTL removes', async () => {
    // A recent time: DynamoDB Local sweeps expired items, so an old `at` could vanish before the read.
    const markedAt = new Date().toISOString();
    await repos().processedEvents.markOnce('evt_1', markedAt);
    const raw = await client.send(
      new GetItemCommand({ TableName: names.processedEvents, Key: { id: { S: 'evt_1' } } }),
    );
    expect(Number(raw.Item?.expiresAt?.N)).toBe(Math.floor(Date.parse(markedAt) / 1000) + 3_600);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: names.processedEvents }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' });
  });
});

describe('createTables', () => {
  it('is idempotent (an on-disk store keeps its tables across restarts)', async () => {
    await expect(createTables(client, names)).resolves.toBeUndefined();
  });
});
