/**
 * Strongly consistent single-item reads, folded: reads requested in the same turn of the event loop
 * (one use-case's parallel reads, or concurrent requests) go out as ONE BatchGetItem instead of one
 * GetItem each. Store calls are the throughput limit here (each costs the SDK ~0.5 ms of CPU and the
 * store a request), so fewer, fuller calls is the lever. A lone read is still a plain GetItem.
 * Every table this adapter reads is keyed by the string attribute `id`.
 */
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

interface Pending {
  table: string;
  id: string;
  /** Top-level attributes to return; undefined = the whole item. */
  attributes: readonly string[] | undefined;
  resolve(item: Item | undefined): void;
  reject(e: unknown): void;
}

/** BatchGetItem takes at most 100 keys per call. */
const MAX_KEYS = 100;
/** Keys the store could not serve yet (throttling, size) are asked again, a bounded number of times. */
const MAX_ROUNDS = 6;
const KEY = 'id';

function projection(attributes: readonly string[]) {
  const names: Record<string, string> = {};
  const parts = attributes.map((a, i) => {
    names[`#p${i}`] = a;
    return `#p${i}`;
  });
  return { ProjectionExpression: parts.join(', '), ExpressionAttributeNames: names };
}

/** All attributes the reads of one table need (plus the key, to match answers), or the whole item. */
function unionOf(reads: readonly Pending[]): string[] | undefined {
  if (reads.some((r) => r.attributes === undefined)) return undefined;
  return [...new Set([KEY, ...reads.flatMap((r) => r.attributes ?? [])])];
}

export class ItemReader {
  private queue: Pending[] = [];

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  get(table: string, id: string, attributes?: readonly string[]): Promise<Item | undefined> {
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => void this.flush());
      this.queue.push({ table, id, attributes, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const reads = this.queue;
    this.queue = [];
    if (reads.length === 1) {
      const [only] = reads;
      if (only) await this.single(only);
      return;
    }
    for (let i = 0; i < reads.length; i += MAX_KEYS) await this.batch(reads.slice(i, i + MAX_KEYS));
  }

  private async single(read: Pending): Promise<void> {
    try {
      const out = await this.doc.send(
        new GetCommand({
          TableName: read.table,
          Key: { [KEY]: read.id },
          ConsistentRead: true,
          ...(read.attributes ? projection(read.attributes) : {}),
        }),
      );
      read.resolve(out.Item);
    } catch (e) {
      read.reject(e);
    }
  }

  private async batch(reads: Pending[]): Promise<void> {
    const byTable = new Map<string, Pending[]>();
    for (const r of reads) byTable.set(r.table, [...(byTable.get(r.table) ?? []), r]);
    const found = new Map<string, Item>(); // `${table}\n${id}` → item
    let request: Record<string, { Keys: Item[]; ConsistentRead: boolean } & Partial<ReturnType<typeof projection>>> =
      {};
    for (const [table, tableReads] of byTable) {
      const ids = [...new Set(tableReads.map((r) => r.id))]; // a key twice in one call is a ValidationException
      const attributes = unionOf(tableReads);
      request[table] = {
        Keys: ids.map((id) => ({ [KEY]: id })),
        ConsistentRead: true,
        ...(attributes ? projection(attributes) : {}),
      };
    }
    try {
      for (let round = 0; Object.keys(request).length > 0; round++) {
        if (round >= MAX_ROUNDS) throw new Error(`BatchGetItem left keys unprocessed after ${MAX_ROUNDS} rounds`);
        if (round > 0) await this.sleep(Math.min(200, 10 * 2 ** round));
        const out = await this.doc.send(new BatchGetCommand({ RequestItems: request }));
        for (const [table, items] of Object.entries(out.Responses ?? {})) {
          for (const item of items) found.set(`${table}\n${String(item[KEY])}`, item);
        }
        request = {};
        for (const [table, left] of Object.entries(out.UnprocessedKeys ?? {})) {
          if (left.Keys && left.Keys.length > 0) request[table] = { ...left, Keys: left.Keys, ConsistentRead: true };
        }
      }
    } catch (e) {
      for (const r of reads) r.reject(e);
      return;
    }
    for (const r of reads) r.resolve(found.get(`${r.table}\n${r.id}`));
  }
}
