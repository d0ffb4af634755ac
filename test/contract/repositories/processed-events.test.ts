import { describe } from 'vitest';
import { backends } from './backends.js';
import { dynamoHarness } from './dynamo-harness.js';
import { processedEventsContract } from './processed-events.contract.js';

const dynamo = dynamoHarness();

describe.each(backends(dynamo))('ProcessedEvents on $name', ({ make }) => {
  processedEventsContract(make);
});
