import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbDriverRepository } from './dynamodb-driver-repository.js';
import { DynamoDbProcessedEvents } from './dynamodb-processed-events.js';
import { DynamoDbSessionRepository } from './dynamodb-session-repository.js';
import { DynamoDbStationRepository } from './dynamodb-station-repository.js';
import { ItemReader } from './item-reader.js';
import type { TableNames } from './tables.js';

export interface DynamoDbRepositories {
  sessions: DynamoDbSessionRepository;
  drivers: DynamoDbDriverRepository;
  stations: DynamoDbStationRepository;
  processedEvents: DynamoDbProcessedEvents;
}

/** The DocumentClient the adapters expect: plain JS values in and out, `undefined` dropped. */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * All four repositories over one DocumentClient (built once per cold start by the composition root),
 * sharing one ItemReader so that reads of different tables requested together go out as one call.
 */
export function makeDynamoDbRepositories(
  doc: DynamoDBDocumentClient,
  tables: Omit<TableNames, 'redriveTries' | 'anomalies'>,
  opts: { eventTtlSeconds?: number } = {},
): DynamoDbRepositories {
  const reader = new ItemReader(doc);
  return {
    sessions: new DynamoDbSessionRepository(doc, tables, reader),
    drivers: new DynamoDbDriverRepository(doc, tables, reader),
    stations: new DynamoDbStationRepository(doc, tables, reader),
    processedEvents: new DynamoDbProcessedEvents(
      doc,
      tables,
      opts.eventTtlSeconds === undefined ? {} : { ttlSeconds: opts.eventTtlSeconds },
      reader,
    ),
  };
}
