import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll } from 'vitest';
import { documentClient } from '../../../functions/src/adapters/dynamodb/dynamodb-repositories.js';
import { createTables, type TableNames, tableNames } from '../../../functions/src/adapters/dynamodb/tables.js';
import { type DirectWire, directDocumentClient } from '../../../infra/local/dynamodb/direct-wire.js';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../../infra/local/dynamodb/dynamodb-local.js';
import { localDynamoDbClient } from '../../../infra/local/dynamodb/local-client.js';

export interface DynamoTables {
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** The same tables through the local stack's direct wire (infra/local/dynamodb/direct-wire.ts). */
  directDoc: DynamoDBDocumentClient;
  names: TableNames;
  endpoint: string;
}

export interface DynamoHarness {
  /** A fresh, uniquely named set of tables on this file's DynamoDB Local (started on first use). */
  freshTables(): Promise<DynamoTables>;
}

/**
 * One in-memory DynamoDB Local per test file, started lazily (a file that only runs the memory
 * fakes never starts a JVM) and stopped in afterAll. Call at module scope of the test file.
 */
export function dynamoHarness(): DynamoHarness {
  let local: Promise<DynamoDbLocal> | undefined;
  let client: DynamoDBClient | undefined;
  let wire: DirectWire | undefined;
  let sets = 0;
  const runId = randomBytes(3).toString('hex');

  afterAll(async () => {
    client?.destroy();
    wire?.close();
    if (local) await (await local).stop();
  });

  return {
    async freshTables() {
      local ??= startDynamoDbLocal();
      const { endpoint } = await local;
      client ??= localDynamoDbClient(endpoint);
      wire ??= directDocumentClient(() => endpoint);
      sets += 1;
      const names = tableNames(`t${runId}-${sets}-`);
      await createTables(client, names);
      return { client, doc: documentClient(client), directDoc: wire.doc, names, endpoint };
    },
  };
}
