import { describe } from 'vitest';
import { backends } from './backends.js';
import { dynamoHarness } from './dynamo-harness.js';
import { sessionRepositoryContract } from './session-repository.contract.js';

const dynamo = dynamoHarness();

describe.each(backends(dynamo))('SessionRepository on $name', ({ make }) => {
  sessionRepositoryContract(make);
});
