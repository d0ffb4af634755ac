import { describe } from 'vitest';
import { DynamoDbAnomalyRepository } from '../../../functions/src/adapters/dynamodb/dynamodb-anomaly-repository.js';
import { MemoryAnomalyRepository } from '../../../functions/src/adapters/memory/memory-anomaly-repository.js';
import type { AnomalyRepository } from '../../../functions/src/ports/anomaly-repository.port.js';
import { anomalyRepositoryContract } from './anomaly-repository.contract.js';
import { dynamoHarness } from './dynamo-harness.js';

const dynamo = dynamoHarness();

const backends: { name: string; make: () => Promise<AnomalyRepository> }[] = [
  { name: 'memory', make: async () => new MemoryAnomalyRepository() },
  {
    name: 'dynamodb',
    make: async () => {
      const { doc, names } = await dynamo.freshTables();
      return new DynamoDbAnomalyRepository(doc, names);
    },
  },
];

describe.each(backends)('AnomalyRepository on $name', ({ make }) => {
  anomalyRepositoryContract(make);
});
