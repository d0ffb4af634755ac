import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/**
 * The table layout, shared by the CDK stack and the local stack so both create the same tables.
 * Every key attribute is a string. Billing is on demand in the cloud.
 */
export type TableKey = 'sessions' | 'drivers' | 'stations' | 'processedEvents' | 'redriveTries' | 'anomalies';
export type TableNames = Record<TableKey, string>;

export interface KeyAttribute {
  name: string;
  type: 'S';
}

export interface IndexSpec {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** Non-key attributes copied into the index (projection INCLUDE). */
  nonKeyAttributes: string[];
}

export interface TableSpec {
  partitionKey: KeyAttribute;
  globalSecondaryIndexes: IndexSpec[];
  timeToLiveAttribute?: string;
}

export const SESSIONS_BY_DRIVER = 'byDriver';
export const SESSIONS_BY_STATE = 'byState';
/** Anomalies by review status (`open` / `reviewed`), newest first. */
export const ANOMALIES_BY_STATUS = 'byStatus';

/** Attribute names of a session item (see session-item.ts). */
export const SESSION_ATTR = {
  id: 'id',
  version: 'version',
  /** The whole Session as one map, so the indexes copy it without the growing ledger. */
  doc: 'session',
  ledger: 'ledger',
  driverId: 'driverId',
  createdAt: 'createdAt',
  state: 'state',
  updatedAt: 'updatedAt',
} as const;

export const TABLE_SPECS: Record<TableKey, TableSpec> = {
  sessions: {
    partitionKey: { name: SESSION_ATTR.id, type: 'S' },
    globalSecondaryIndexes: [
      {
        // A driver's sessions, newest first (ScanIndexForward false).
        indexName: SESSIONS_BY_DRIVER,
        partitionKey: { name: SESSION_ATTR.driverId, type: 'S' },
        sortKey: { name: SESSION_ATTR.createdAt, type: 'S' },
        nonKeyAttributes: [SESSION_ATTR.doc],
      },
      {
        // Ops and reconciliation views (stuck ENERGIZING, open PAYMENT_PENDING), oldest change first.
        // Terminal states pile up in a few partitions: fine for ops reads, shard the key if it throttles.
        indexName: SESSIONS_BY_STATE,
        partitionKey: { name: SESSION_ATTR.state, type: 'S' },
        sortKey: { name: SESSION_ATTR.updatedAt, type: 'S' },
        nonKeyAttributes: [SESSION_ATTR.doc],
      },
    ],
  },
  drivers: { partitionKey: { name: 'id', type: 'S' }, globalSecondaryIndexes: [] },
  stations: { partitionKey: { name: 'id', type: 'S' }, globalSecondaryIndexes: [] },
  processedEvents: {
    partitionKey: { name: 'id', type: 'S' },
    globalSecondaryIndexes: [],
    timeToLiveAttribute: 'expiresAt',
  },
  // The sweeper's count of re-drive tries per stuck step (dynamodb-redrive-tries.ts).
  redriveTries: {
    partitionKey: { name: 'id', type: 'S' },
    globalSecondaryIndexes: [],
    timeToLiveAttribute: 'expiresAt',
  },
  // Reconciliation's findings (dynamodb-anomaly-repository.ts): kept, never expired.
  anomalies: {
    partitionKey: { name: 'id', type: 'S' },
    globalSecondaryIndexes: [
      {
        indexName: ANOMALIES_BY_STATUS,
        partitionKey: { name: 'status', type: 'S' },
        sortKey: { name: 'foundAt', type: 'S' },
        nonKeyAttributes: ['anomaly', 'review'],
      },
    ],
  },
};

export const TABLE_KEYS: readonly TableKey[] = [
  'sessions',
  'drivers',
  'stations',
  'processedEvents',
  'redriveTries',
  'anomalies',
];

/** Table names for one deployment or test run, e.g. `tableNames('evc-dev-')`. */
export function tableNames(prefix: string): TableNames {
  return {
    sessions: `${prefix}sessions`,
    drivers: `${prefix}drivers`,
    stations: `${prefix}stations`,
    processedEvents: `${prefix}processed-events`,
    redriveTries: `${prefix}redrive-tries`,
    anomalies: `${prefix}anomalies`,
  };
}

export function createTableInput(name: string, spec: TableSpec): CreateTableCommandInput {
  const keyAttrs = new Map<string, KeyAttribute>([[spec.partitionKey.name, spec.partitionKey]]);
  for (const gsi of spec.globalSecondaryIndexes) {
    keyAttrs.set(gsi.partitionKey.name, gsi.partitionKey);
    if (gsi.sortKey) keyAttrs.set(gsi.sortKey.name, gsi.sortKey);
  }
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...keyAttrs.values()].map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [{ AttributeName: spec.partitionKey.name, KeyType: 'HASH' }],
    ...(spec.globalSecondaryIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: spec.globalSecondaryIndexes.map((gsi) => ({
            IndexName: gsi.indexName,
            KeySchema: [
              { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' as const },
              ...(gsi.sortKey ? [{ AttributeName: gsi.sortKey.name, KeyType: 'RANGE' as const }] : []),
            ],
            Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: gsi.nonKeyAttributes },
          })),
        }
      : {}),
  };
}

/**
 * Creates the tables that do not exist yet (an on-disk local store keeps them across restarts)
 * and waits until they are active. For the local stack and tests; the cloud uses the CDK stack.
 */
export async function createTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    TABLE_KEYS.map(async (key) => {
      const spec = TABLE_SPECS[key];
      const name = names[key];
      let created = true;
      try {
        await client.send(new CreateTableCommand(createTableInput(name, spec)));
      } catch (e) {
        if (!(e instanceof ResourceInUseException)) throw new Error(`creating table ${name} failed`, { cause: e });
        created = false;
      }
      await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: name });
      if (created && spec.timeToLiveAttribute) {
        await client.send(
          new UpdateTimeToLiveCommand({
            TableName: name,
            TimeToLiveSpecification: { AttributeName: spec.timeToLiveAttribute, Enabled: true },
          }),
        );
      }
    }),
  );
}
