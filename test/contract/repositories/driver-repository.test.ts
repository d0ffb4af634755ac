import { describe } from 'vitest';
import { backends } from './backends.js';
import { driverRepositoryContract } from './driver-repository.contract.js';
import { dynamoHarness } from './dynamo-harness.js';

const dynamo = dynamoHarness();

describe.each(backends(dynamo))('DriverRepository on $name', ({ make }) => {
  driverRepositoryContract(make);
});
