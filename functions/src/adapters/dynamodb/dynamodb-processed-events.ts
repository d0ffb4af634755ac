import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ProcessedEvents } from '../../ports/processed-events.port.js';
import { ItemReader } from './item-reader.js';
import { guarded, wrapped } from './store-errors.js';
import type { TableNames } from './tables.js';

/**
 * Stripe retries a webhook for up to 3 days and IoT Core replays queued messages up to 1 h later;
 * a week covers both with margin. DynamoDB's TTL deletes lazily, so the window is "at least".
 */
export const DEFAULT_EVENT_TTL_SECONDS = 7 * 24 * 3600;

export class DynamoDbProcessedEvents implements ProcessedEvents {
  private readonly ttlSeconds: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'processedEvents'>,
    opts: { ttlSeconds?: number } = {},
    private readonly reader = new ItemReader(doc),
  ) {
    this.ttlSeconds = opts.ttlSeconds ?? DEFAULT_EVENT_TTL_SECONDS;
  }

  async markOnce(eventId: string, at: string): Promise<boolean> {
    const atMs = Date.parse(at);
    if (Number.isNaN(atMs)) throw new RangeError(`markOnce: "${at}" is not an ISO time`);
    const TableName = this.tables.processedEvents;
    return guarded(
      'markOnce',
      TableName,
      async () => {
        await this.doc.send(
          new PutCommand({
            TableName,
            Item: { id: eventId, at, expiresAt: Math.floor(atMs / 1000) + this.ttlSeconds },
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        );
        return true;
      },
      () => false,
    );
  }

  async has(eventId: string): Promise<boolean> {
    const table = this.tables.processedEvents;
    const item = await wrapped('has', table, () => this.reader.get(table, eventId, ['id']));
    return item !== undefined;
  }
}
