import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe } from 'vitest';
import { DynamoDbRedriveTries } from '../../../functions/src/adapters/dynamodb/dynamodb-redrive-tries.js';
import { documentClient } from '../../../functions/src/adapters/dynamodb/dynamodb-repositories.js';
import { MemoryRedriveTries } from '../../../functions/src/adapters/memory/memory-redrive-tries.js';
import { localDynamoDbClient } from '../../../infra/local/dynamodb/local-client.js';
import { dynamoHarness } from './dynamo-harness.js';
import { type RedriveTriesStore, redriveTriesContract } from './redrive-tries.contract.js';

const dynamo = dynamoHarness();
const reopened: DynamoDBClient[] = [];
afterAll(() => {
  for (const c of reopened) c.destroy();
});

const stores: { name: string; make: () => Promise<RedriveTriesStore> }[] = [
  {
    name: 'memory',
    async make() {
      const tries = new MemoryRedriveTries();
      return { tries, reopen: () => tries };
    },
  },
  {
    name: 'dynamodb',
    async make() {
      const { doc, names, endpoint } = await dynamo.freshTables();
      return {
        tries: new DynamoDbRedriveTries(doc, names),
        // A new client and adapter: nothing but the table is shared.
        reopen: () => {
          const client = localDynamoDbClient(endpoint);
          reopened.push(client);
          return new DynamoDbRedriveTries(documentClient(client), names);
        },
      };
    },
  },
];

describe.each(stores)('RedriveTries on $name', ({ make }) => {
  redriveTriesContract(make);
});
