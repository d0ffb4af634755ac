import { describe } from 'vitest';
import { backends } from './backends.js';
import { dynamoHarness } from './dynamo-harness.js';
import { stationRepositoryContract } from './station-repository.contract.js';

const dynamo = dynamoHarness();

describe.each(backends(dynamo))('StationRepository on $name', ({ make }) => {
  stationRepositoryContract(make);
});
