import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { RedrivePace, RedriveStep, RedriveTally, RedriveTries } from '../../ports/redrive-tries.port.js';
import { guarded } from './store-errors.js';
import type { TableNames } from './tables.js';

/** A stuck step is settled or escalated long before this; TTL then deletes the count. */
export const DEFAULT_REDRIVE_TTL_SECONDS = 30 * 24 * 3600;

const TallyItem = z.object({
  tries: z.number().int().positive(),
  firstAt: z.string(),
  escalatedAt: z.string().optional(),
});

/**
 * One item per step (`id` = `{sessionId}#{state}`). A try is one conditional UpdateItem — `ADD tries 1`
 * only if the last try is older than the gap — so concurrent sweepers serialize on the item and
 * exactly one of them takes each try.
 */
export class DynamoDbRedriveTries implements RedriveTries {
  private readonly ttlSeconds: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'redriveTries'>,
    opts: { ttlSeconds?: number } = {},
  ) {
    this.ttlSeconds = opts.ttlSeconds ?? DEFAULT_REDRIVE_TTL_SECONDS;
  }

  async claim(step: RedriveStep, pace: RedrivePace): Promise<RedriveTally | undefined> {
    const atMs = Date.parse(pace.at);
    if (Number.isNaN(atMs)) throw new RangeError(`claim: "${pace.at}" is not an ISO time`);
    const TableName = this.tables.redriveTries;
    return guarded(
      'claim',
      TableName,
      async () => {
        const out = await this.doc.send(
          new UpdateCommand({
            TableName,
            Key: { id: keyOf(step) },
            UpdateExpression:
              'SET lastAtMs = :now, firstAt = if_not_exists(firstAt, :at), sessionId = :sid, #state = :state, expiresAt = :ttl ADD tries :one',
            ConditionExpression:
              'attribute_not_exists(lastAtMs) OR (attribute_not_exists(escalatedAt) AND lastAtMs <= :cutoff) OR lastAtMs <= :slowCutoff',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':now': atMs,
              ':at': pace.at,
              ':sid': step.sessionId,
              ':state': step.state,
              ':ttl': Math.floor(atMs / 1000) + this.ttlSeconds,
              ':one': 1,
              ':cutoff': atMs - pace.gapMs,
              ':slowCutoff': atMs - Math.max(pace.gapMs, pace.escalatedGapMs),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        const item = TallyItem.parse(out.Attributes);
        return {
          tries: item.tries,
          firstAt: item.firstAt,
          ...(item.escalatedAt === undefined ? {} : { escalatedAt: item.escalatedAt }),
        };
      },
      () => undefined,
    );
  }

  async markEscalated(step: RedriveStep, at: string): Promise<boolean> {
    const TableName = this.tables.redriveTries;
    return guarded(
      'markEscalated',
      TableName,
      async () => {
        await this.doc.send(
          new UpdateCommand({
            TableName,
            Key: { id: keyOf(step) },
            UpdateExpression: 'SET escalatedAt = :at',
            ConditionExpression: 'attribute_exists(id) AND attribute_not_exists(escalatedAt)',
            ExpressionAttributeValues: { ':at': at },
          }),
        );
        return true;
      },
      () => false,
    );
  }

  async unmarkEscalated(step: RedriveStep): Promise<void> {
    const TableName = this.tables.redriveTries;
    await guarded(
      'unmarkEscalated',
      TableName,
      async () => {
        await this.doc.send(
          new UpdateCommand({
            TableName,
            Key: { id: keyOf(step) },
            UpdateExpression: 'REMOVE escalatedAt',
            ConditionExpression: 'attribute_exists(id)',
          }),
        );
      },
      () => undefined, // nothing to undo when the item is gone
    );
  }
}

const keyOf = (step: RedriveStep): string => `${step.sessionId}#${step.state}`;
