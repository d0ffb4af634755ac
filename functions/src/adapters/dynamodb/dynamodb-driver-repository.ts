import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Driver } from '../../domain/driver.js';
import type { DriverRepository } from '../../ports/driver-repository.port.js';
import { ItemReader } from './item-reader.js';
import { driverSchema, withoutUndefined } from './item-schemas.js';
import { assertNextVersion, DynamoDbStoreError, lostRace, wrapped } from './store-errors.js';
import type { TableNames } from './tables.js';
import { failedOnOwnWrite, newWriteToken, WRITE_TOKEN_ATTR } from './write-token.js';

/** Drivers, one item each, the Driver's fields as top-level attributes (key `id`). */
function driverItem(driver: Driver, token: string): Record<string, unknown> {
  return { ...withoutUndefined(driver), [WRITE_TOKEN_ATTR]: token };
}

// The schema strips attributes that are not Driver fields (the write token).
function driverOf(item: Record<string, unknown> | undefined): Driver | undefined {
  return item ? driverSchema.parse(item) : undefined;
}

/** The version-conditioned replace of a driver row; also one half of a session commit's transaction. */
export function driverPut(table: string, next: Driver, expectedVersion: number, token: string) {
  return {
    TableName: table,
    Item: driverItem(next, token),
    ConditionExpression: '#version = :expected',
    ExpressionAttributeNames: { '#version': 'version' },
    ExpressionAttributeValues: { ':expected': expectedVersion },
  };
}

export class DynamoDbDriverRepository implements DriverRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'drivers'>,
    private readonly reader = new ItemReader(doc),
  ) {}

  async get(id: string): Promise<Driver | undefined> {
    return driverOf(await wrapped('get', this.tables.drivers, () => this.reader.get(this.tables.drivers, id)));
  }

  async ensure(driver: Driver): Promise<Driver> {
    const token = newWriteToken();
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tables.drivers,
          Item: driverItem(driver, token),
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return driver;
    } catch (e) {
      if (!lostRace(e)) throw new DynamoDbStoreError('ensure', this.tables.drivers, e);
    }
    const existing = await this.get(driver.id);
    if (!existing)
      throw new DynamoDbStoreError('ensure', this.tables.drivers, new Error(`driver ${driver.id} vanished`));
    return existing;
  }

  async update(next: Driver, expectedVersion: number): Promise<boolean> {
    assertNextVersion(next.version, expectedVersion, `driver ${next.id}`);
    const token = newWriteToken();
    try {
      await this.doc.send(
        new PutCommand({
          ...driverPut(this.tables.drivers, next, expectedVersion, token),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return true;
    } catch (e) {
      if (failedOnOwnWrite(e, token)) return true;
      if (lostRace(e)) return false;
      throw new DynamoDbStoreError('update', this.tables.drivers, e);
    }
  }
}
