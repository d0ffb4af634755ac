import { type DynamoDBDocumentClient, PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Station, type StationObservation, withObservation } from '../../domain/station.js';
import type { PresencePatch, StationRepository } from '../../ports/station-repository.port.js';
import { ItemReader } from './item-reader.js';
import { stationObservationsSchema, stationSchema, withoutUndefined } from './item-schemas.js';
import { guarded, wrapped } from './store-errors.js';
import type { TableNames } from './tables.js';

const PRESENCE_FIELDS = ['online', 'breaker', 'powerW', 'lastSeenAt', 'fault'] as const;
/** Observations are rare (faults, a register going backwards); a few optimistic rounds always suffice. */
const MAX_OBSERVATION_ROUNDS = 5;
/** Not a Station field: the optimistic-concurrency counter of the observations list. */
const OBSERVED_SEQ = 'observedSeq';
/** Scan pages are ≤ 1 MB (thousands of stations each); the bound only stops a runaway loop. */
const MAX_SCAN_PAGES = 1_000;

/**
 * Stations, one item each with the Station's fields as top-level attributes (key `id`), so claim,
 * release and presence are single-attribute updates rather than read-modify-write.
 */
export class DynamoDbStationRepository implements StationRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'stations'>,
    private readonly reader = new ItemReader(doc),
  ) {}

  async get(id: string): Promise<Station | undefined> {
    const item = await wrapped('get', this.tables.stations, () => this.reader.get(this.tables.stations, id));
    return item ? stationSchema.parse(item) : undefined;
  }

  async list(): Promise<Station[]> {
    const stations: Station[] = [];
    let start: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_SCAN_PAGES; page++) {
      const out = await wrapped('list', this.tables.stations, () =>
        this.doc.send(
          new ScanCommand({
            TableName: this.tables.stations,
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of out.Items ?? []) stations.push(stationSchema.parse(item));
      start = out.LastEvaluatedKey;
      if (!start) break;
    }
    return stations.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async put(station: Station): Promise<void> {
    await wrapped('put', this.tables.stations, () =>
      this.doc.send(new PutCommand({ TableName: this.tables.stations, Item: withoutUndefined(station) })),
    );
  }

  /** A repeated claim by the session that already holds the station succeeds (a retried start). */
  async claim(stationId: string, sessionId: string, at: string): Promise<boolean> {
    return guarded(
      'claim',
      this.tables.stations,
      async () => {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tables.stations,
            Key: { id: stationId },
            UpdateExpression: 'SET activeSessionId = :sid, updatedAt = :at',
            ConditionExpression:
              'attribute_exists(id) AND (attribute_not_exists(activeSessionId) OR activeSessionId = :sid)',
            ExpressionAttributeValues: { ':sid': sessionId, ':at': at },
          }),
        );
        return true;
      },
      () => false,
    );
  }

  async release(stationId: string, sessionId: string, at: string): Promise<Station | undefined> {
    return guarded(
      'release',
      this.tables.stations,
      async () => {
        const out = await this.doc.send(
          new UpdateCommand({
            TableName: this.tables.stations,
            Key: { id: stationId },
            UpdateExpression: 'REMOVE activeSessionId SET updatedAt = :at',
            ConditionExpression: 'activeSessionId = :sid',
            ExpressionAttributeValues: { ':sid': sessionId, ':at': at },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return stationSchema.parse(out.Attributes);
      },
      () => undefined,
    );
  }

  /**
   * One update of the given fields, conditioned on the signal not being older, returning the row as it
   * was; a field present with `undefined` is removed (a cleared fault). An unknown station is ignored:
   * a stray report must not create a half-filled row.
   */
  async updatePresence(stationId: string, patch: PresencePatch, at: string): Promise<Station | undefined> {
    const set = ['#updatedAt = :updatedAt'];
    const remove: string[] = [];
    const names: Record<string, string> = { '#id': 'id', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':updatedAt': at };
    for (const field of PRESENCE_FIELDS) {
      if (!(field in patch)) continue;
      names[`#${field}`] = field;
      const value = patch[field];
      if (value === undefined) remove.push(`#${field}`);
      else {
        set.push(`#${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    return guarded(
      'updatePresence',
      this.tables.stations,
      async () => {
        const out = await this.doc.send(
          new UpdateCommand({
            TableName: this.tables.stations,
            Key: { id: stationId },
            UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
            // Two signals handled at once both pass the caller's staleness check: the older one must
            // not land last (a reconnect's `state` closed overwrote the open right behind it; soak bench).
            ConditionExpression:
              patch.lastSeenAt === undefined
                ? 'attribute_exists(#id)'
                : 'attribute_exists(#id) AND (attribute_not_exists(#lastSeenAt) OR #lastSeenAt <= :lastSeenAt)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_OLD',
          }),
        );
        return stationSchema.parse(out.Attributes);
      },
      () => undefined,
    );
  }

  /** Read, append, and write back iff no other observation landed meanwhile (the counter moved). */
  async recordObservation(stationId: string, observation: StationObservation): Promise<void> {
    const table = this.tables.stations;
    for (let round = 0; round < MAX_OBSERVATION_ROUNDS; round++) {
      const item = await wrapped('recordObservation', table, () =>
        this.reader.get(table, stationId, ['id', 'observations', OBSERVED_SEQ]),
      );
      if (!item) return;
      const seq = typeof item[OBSERVED_SEQ] === 'number' ? item[OBSERVED_SEQ] : 0;
      const current = stationObservationsSchema.parse(item.observations);
      const next = withObservation(current, observation);
      if (!next) return;
      const written = await guarded(
        'recordObservation',
        table,
        async () => {
          await this.doc.send(
            new UpdateCommand({
              TableName: table,
              Key: { id: stationId },
              UpdateExpression: 'SET #obs = :obs, #seq = :next',
              ConditionExpression: 'attribute_exists(#id) AND (attribute_not_exists(#seq) OR #seq = :seq)',
              ExpressionAttributeNames: { '#id': 'id', '#obs': 'observations', '#seq': OBSERVED_SEQ },
              ExpressionAttributeValues: { ':obs': withoutUndefined(next), ':seq': seq, ':next': seq + 1 },
            }),
          );
          return true;
        },
        () => false,
      );
      if (written) return;
    }
    throw new Error(`recordObservation on ${stationId}: too many concurrent writers`);
  }
}
