import { makeDynamoDbRepositories } from '../../../functions/src/adapters/dynamodb/dynamodb-repositories.js';
import { MemoryDriverRepository } from '../../../functions/src/adapters/memory/memory-driver-repository.js';
import { MemoryProcessedEvents } from '../../../functions/src/adapters/memory/memory-processed-events.js';
import { MemorySessionRepository } from '../../../functions/src/adapters/memory/memory-session-repository.js';
import { MemoryStationRepository } from '../../../functions/src/adapters/memory/memory-station-repository.js';
import type { DriverRepository } from '../../../functions/src/ports/driver-repository.port.js';
import type { ProcessedEvents } from '../../../functions/src/ports/processed-events.port.js';
import type { SessionRepository } from '../../../functions/src/ports/session-repository.port.js';
import type { StationRepository } from '../../../functions/src/ports/station-repository.port.js';
import type { DynamoHarness } from './dynamo-harness.js';

/** The four persistence ports, wired so that session commits can move driver rows atomically. */
export interface Repositories {
  sessions: SessionRepository;
  drivers: DriverRepository;
  stations: StationRepository;
  processedEvents: ProcessedEvents;
  /** Sessions as a second process sees them: the same store, a memory (`peek`) of its own. */
  sessionsElsewhere: SessionRepository;
}

export interface Backend {
  name: string;
  /** Empty repositories (fresh fakes, or fresh tables on this file's DynamoDB Local). */
  make(): Promise<Repositories>;
}

/** Every contract suite runs against each of these. */
export function backends(dynamo: DynamoHarness): Backend[] {
  return [
    {
      name: 'memory',
      async make() {
        const drivers = new MemoryDriverRepository();
        const sessions = new MemorySessionRepository(drivers);
        return {
          drivers,
          sessions,
          sessionsElsewhere: sessions.anotherProcess(),
          stations: new MemoryStationRepository(),
          processedEvents: new MemoryProcessedEvents(),
        };
      },
    },
    {
      name: 'dynamodb',
      async make() {
        const { doc, names } = await dynamo.freshTables();
        return {
          ...makeDynamoDbRepositories(doc, names),
          sessionsElsewhere: makeDynamoDbRepositories(doc, names).sessions,
        };
      },
    },
    {
      // What the local stack runs: the same repositories over the direct wire instead of the SDK's stack.
      name: 'dynamodb direct wire',
      async make() {
        const { directDoc, names } = await dynamo.freshTables();
        return {
          ...makeDynamoDbRepositories(directDoc, names),
          sessionsElsewhere: makeDynamoDbRepositories(directDoc, names).sessions,
        };
      },
    },
  ];
}
