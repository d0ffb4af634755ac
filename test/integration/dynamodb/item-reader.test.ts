import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  documentClient,
  makeDynamoDbRepositories,
} from '../../../functions/src/adapters/dynamodb/dynamodb-repositories.js';
import { ItemReader } from '../../../functions/src/adapters/dynamodb/item-reader.js';
import { DynamoDbStoreError } from '../../../functions/src/adapters/dynamodb/store-errors.js';
import type { TableNames } from '../../../functions/src/adapters/dynamodb/tables.js';
import { localDynamoDbClient } from '../../../infra/local/dynamodb/local-client.js';
import { dynamoHarness } from '../../contract/repositories/dynamo-harness.js';
import { aDriver, anEntry, aSession } from '../../contract/repositories/fixtures.js';

const dynamo = dynamoHarness();

let client: DynamoDBClient;
let names: TableNames;
let calls: string[];
/** When > 0, that many BatchGetItem answers hand their first item back as unprocessed. */
let withholdRounds: number;

beforeEach(async () => {
  const tables = await dynamo.freshTables();
  names = tables.names;
  client = localDynamoDbClient(tables.endpoint);
  calls = [];
  withholdRounds = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName).replace(/Command$/, ''));
      const out = await next(args);
      const o = out.output as {
        Responses?: Record<string, Record<string, unknown>[]>;
        UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }>;
      };
      if (context.commandName === 'BatchGetItemCommand' && withholdRounds > 0 && o.Responses) {
        const [table, items] = Object.entries(o.Responses).find(([, list]) => list.length > 0) ?? [];
        const first = items?.shift();
        if (table && first) {
          withholdRounds -= 1;
          o.UnprocessedKeys = { [table]: { Keys: [{ id: first.id }] } };
        }
      }
      return out;
    },
    // Above the DocumentClient's (un)marshalling: plain values in and out.
    { step: 'initialize', name: 'countAndWithhold' },
  );
});

afterEach(() => client.destroy());

function repos() {
  return makeDynamoDbRepositories(documentClient(client), names);
}

describe('ItemReader (reads folded into one call)', () => {
  it('answers reads of several tables requested together with ONE BatchGetItem, each with its own item', async () => {
    const r = repos();
    const s = aSession();
    await r.sessions.create(s, anEntry(s, null, 'StartRequested'));
    const d = await r.drivers.ensure(aDriver({ id: s.driverId }));
    await r.processedEvents.markOnce('evt_1', new Date().toISOString());
    calls = [];
    const [session, driver, missing, seen, ledger] = await Promise.all([
      r.sessions.get(s.id),
      r.drivers.get(d.id),
      r.stations.get('no-such-station'),
      r.processedEvents.has('evt_1'),
      r.sessions.ledger(s.id),
    ]);
    expect(calls).toEqual(['BatchGetItem']);
    expect(session).toEqual(s);
    expect(driver).toEqual(d);
    expect(missing).toBeUndefined();
    expect(seen).toBe(true);
    expect(ledger.map((e) => e.to)).toEqual([s.state]);
  });

  it('asks for a key once when it is read twice in one turn (DynamoDB refuses duplicate keys)', async () => {
    const r = repos();
    const d = await r.drivers.ensure(aDriver());
    calls = [];
    const [a, b] = await Promise.all([r.drivers.get(d.id), r.drivers.get(d.id)]);
    expect(calls).toEqual(['BatchGetItem']);
    expect(a).toEqual(d);
    expect(b).toEqual(d);
  });

  it('sends a lone read as a plain GetItem', async () => {
    const r = repos();
    const d = await r.drivers.ensure(aDriver());
    calls = [];
    expect(await r.drivers.get(d.id)).toEqual(d);
    expect(calls).toEqual(['GetItem']);
  });

  it('asks again for keys the store left unprocessed, and then gives up loudly', async () => {
    const doc = documentClient(client);
    for (const id of ['a', 'b']) await doc.send(new PutCommand({ TableName: names.drivers, Item: { id, n: id } }));
    const reader = new ItemReader(doc, async () => undefined);
    withholdRounds = 1;
    calls = [];
    const items = await Promise.all([reader.get(names.drivers, 'a'), reader.get(names.drivers, 'b')]);
    expect(items).toEqual([
      { id: 'a', n: 'a' },
      { id: 'b', n: 'b' },
    ]);
    expect(calls).toEqual(['BatchGetItem', 'BatchGetItem']);
    withholdRounds = 100;
    await expect(Promise.all([reader.get(names.drivers, 'a'), reader.get(names.drivers, 'b')])).rejects.toThrow(
      /unprocessed/,
    );
  });

  it('fails every read of a failed batch as a store error, keeping the SDK error as cause', async () => {
    const r = makeDynamoDbRepositories(documentClient(client), { ...names, stations: 'no-such-table' });
    const results = await Promise.allSettled([r.drivers.get('d1'), r.stations.get('s1')]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      if (result.status === 'rejected') {
        expect(result.reason).toBeInstanceOf(DynamoDbStoreError);
        expect(result.reason.cause).toMatchObject({ name: 'ResourceNotFoundException' });
      }
    }
  });
});
