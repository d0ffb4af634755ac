import { type DynamoDBDocumentClient, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ANOMALY_KINDS, type Anomaly } from '../../domain/reconciliation.js';
import type { AnomalyRepository, RecordedAnomaly } from '../../ports/anomaly-repository.port.js';
import { ItemReader } from './item-reader.js';
import { withoutUndefined } from './item-schemas.js';
import { guarded, wrapped } from './store-errors.js';
import { ANOMALIES_BY_STATUS, type TableNames } from './tables.js';

const MAX_LIST = 1_000;
type Status = 'open' | 'reviewed';

const anomalySchema = z.object({
  id: z.string(),
  kind: z.enum(ANOMALY_KINDS),
  subject: z.string(),
  sessionId: z.string().optional(),
  stationId: z.string().optional(),
  paymentIntentId: z.string().optional(),
  detail: z.string(),
  evidence: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
const reviewSchema = z.object({ operatorId: z.string(), note: z.string(), at: z.string() });
const itemSchema = z.object({ foundAt: z.string(), anomaly: anomalySchema, review: reviewSchema.optional() });

function toRecorded(item: Record<string, unknown>): RecordedAnomaly {
  const parsed = itemSchema.parse(item);
  return { ...parsed.anomaly, foundAt: parsed.foundAt, ...(parsed.review ? { review: parsed.review } : {}) };
}

/**
 * One item per anomaly (key `id` = kind + subject): `status` and `foundAt` are the index keys, the
 * anomaly itself one map. A conditional put makes re-runs no-ops; a conditional update makes the
 * first review final.
 */
export class DynamoDbAnomalyRepository implements AnomalyRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'anomalies'>,
    private readonly reader = new ItemReader(doc),
  ) {}

  async record(anomaly: Anomaly, foundAt: string): Promise<boolean> {
    const TableName = this.tables.anomalies;
    return guarded(
      'record',
      TableName,
      async () => {
        await this.doc.send(
          new PutCommand({
            TableName,
            Item: { id: anomaly.id, status: 'open', foundAt, anomaly: withoutUndefined(anomaly) },
            ConditionExpression: 'attribute_not_exists(id)',
          }),
        );
        return true;
      },
      () => false,
    );
  }

  async get(id: string): Promise<RecordedAnomaly | undefined> {
    const table = this.tables.anomalies;
    const item = await wrapped('get', table, () => this.reader.get(table, id));
    return item ? toRecorded(item) : undefined;
  }

  async list(opts: { open?: boolean; limit: number }): Promise<RecordedAnomaly[]> {
    const limit = Math.max(1, Math.min(MAX_LIST, Math.floor(opts.limit)));
    const statuses: Status[] = opts.open === undefined ? ['open', 'reviewed'] : opts.open ? ['open'] : ['reviewed'];
    const lists = await Promise.all(statuses.map((s) => this.byStatus(s, limit)));
    return lists
      .flat()
      .sort((a, b) => b.foundAt.localeCompare(a.foundAt) || a.id.localeCompare(b.id))
      .slice(0, limit);
  }

  async review(id: string, review: { operatorId: string; note: string; at: string }): Promise<boolean> {
    const TableName = this.tables.anomalies;
    return guarded(
      'review',
      TableName,
      async () => {
        await this.doc.send(
          new UpdateCommand({
            TableName,
            Key: { id },
            UpdateExpression: 'SET #status = :reviewed, #review = :review',
            ConditionExpression: 'attribute_exists(id) AND #status = :open',
            ExpressionAttributeNames: { '#status': 'status', '#review': 'review' },
            ExpressionAttributeValues: { ':reviewed': 'reviewed', ':open': 'open', ':review': review },
          }),
        );
        return true;
      },
      () => false,
    );
  }

  private async byStatus(status: Status, limit: number): Promise<RecordedAnomaly[]> {
    const found: RecordedAnomaly[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await wrapped('list', this.tables.anomalies, () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tables.anomalies,
            IndexName: ANOMALIES_BY_STATUS,
            KeyConditionExpression: '#status = :status',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': status },
            ScanIndexForward: false,
            Limit: limit - found.length,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of out.Items ?? []) found.push(toRecorded(item));
      start = out.LastEvaluatedKey;
    } while (start && found.length < limit);
    return found;
  }
}
