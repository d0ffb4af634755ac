import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { LedgerEntry } from '../../domain/ledger.js';
import type { Session, SessionState } from '../../domain/session.js';
import type { Page, Peeked, SessionChange, SessionRepository } from '../../ports/session-repository.port.js';
import { SessionMemo } from '../session-memo.js';
import { driverPut } from './dynamodb-driver-repository.js';
import { ItemReader } from './item-reader.js';
import { ledgerEntrySchema, sessionSchema, withoutUndefined } from './item-schemas.js';
import { assertNextVersion, DynamoDbStoreError, InvalidPageTokenError, lostRace, wrapped } from './store-errors.js';
import { SESSION_ATTR as A, SESSIONS_BY_DRIVER, SESSIONS_BY_STATE, type TableNames } from './tables.js';
import { failedOnOwnWrite, newWriteToken, WRITE_TOKEN_ATTR } from './write-token.js';

const MAX_PAGE = 100;
const MAX_STATE_LIST = 1_000;

const PageToken = z.object({ id: z.string(), createdAt: z.string() });

function encodeToken(s: Pick<Session, 'id' | 'createdAt'>): string {
  return Buffer.from(JSON.stringify({ id: s.id, createdAt: s.createdAt })).toString('base64url');
}

function decodeToken(token: string): z.infer<typeof PageToken> {
  try {
    return PageToken.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
  } catch (e) {
    throw new InvalidPageTokenError('nextToken is not a token issued by listByDriver', { cause: e });
  }
}

function checkLimit(limit: number, max: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  return Math.min(limit, max);
}

function sessionOf(item: Record<string, unknown> | undefined): Session | undefined {
  return item?.[A.doc] === undefined ? undefined : sessionSchema.parse(item[A.doc]);
}

/**
 * Sessions, one item each: the Session as one map, its version, the index keys, and the ledger
 * as a list inside the same item — so a transition and its ledger entries are ONE conditional
 * write. The ledger stays append-only because this adapter only ever list_appends to it.
 * A change that also moves the driver row is a two-item transaction, both version-conditioned.
 * What this instance wrote or read is kept in a SessionMemo for `peek` (one instance per process).
 */
export class DynamoDbSessionRepository implements SessionRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, 'sessions' | 'drivers'>,
    private readonly reader = new ItemReader(doc),
    private readonly memo = new SessionMemo(),
  ) {}

  async create(session: Session, entry: LedgerEntry): Promise<{ created: boolean; session: Session }> {
    const token = newWriteToken();
    const TableName = this.tables.sessions;
    try {
      await this.doc.send(
        new PutCommand({
          TableName,
          Item: {
            [A.id]: session.id,
            [A.version]: session.version,
            [A.doc]: withoutUndefined(session),
            [A.ledger]: [withoutUndefined(entry)],
            [A.driverId]: session.driverId,
            [A.createdAt]: session.createdAt,
            [A.state]: session.state,
            [A.updatedAt]: session.updatedAt,
            [WRITE_TOKEN_ATTR]: token,
          },
          ConditionExpression: 'attribute_not_exists(#id)',
          ExpressionAttributeNames: { '#id': A.id },
        }),
      );
      this.memo.remember(session);
      return { created: true, session };
    } catch (e) {
      if (!lostRace(e)) throw new DynamoDbStoreError('create', TableName, e);
    }
    // Ids derive from (driver, start key): the existing item is the first start of the same request.
    const existing = await wrapped('create', TableName, () =>
      this.reader.get(TableName, session.id, [A.doc, WRITE_TOKEN_ATTR]),
    );
    const stored = sessionOf(existing);
    if (!stored) throw new DynamoDbStoreError('create', TableName, new Error(`session ${session.id} vanished`));
    this.memo.remember(stored);
    return { created: existing?.[WRITE_TOKEN_ATTR] === token, session: stored };
  }

  async get(id: string): Promise<Session | undefined> {
    const table = this.tables.sessions;
    const session = sessionOf(await wrapped('get', table, () => this.reader.get(table, id, [A.doc])));
    if (session) this.memo.remember(session);
    else this.memo.forget(id);
    return session;
  }

  peek(id: string): Promise<Peeked | undefined> {
    return this.memo.peek(id, (i) => this.get(i));
  }

  async commit(change: SessionChange): Promise<boolean> {
    const committed = await this.write(change);
    if (committed) this.memo.remember(change.session);
    else this.memo.forget(change.session.id);
    return committed;
  }

  private async write(change: SessionChange): Promise<boolean> {
    const { session, expectedVersion, entries, driver } = change;
    assertNextVersion(session.version, expectedVersion, `session ${session.id}`);
    if (driver) assertNextVersion(driver.next.version, driver.expectedVersion, `driver ${driver.next.id}`);
    const token = newWriteToken();
    const update = {
      TableName: this.tables.sessions,
      Key: { [A.id]: session.id },
      UpdateExpression:
        'SET #doc = :doc, #version = :next, #state = :state, #updatedAt = :updatedAt, #token = :token, ' +
        '#ledger = list_append(if_not_exists(#ledger, :none), :entries)',
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: {
        '#doc': A.doc,
        '#version': A.version,
        '#state': A.state,
        '#updatedAt': A.updatedAt,
        '#token': WRITE_TOKEN_ATTR,
        '#ledger': A.ledger,
      },
      ExpressionAttributeValues: {
        ':doc': withoutUndefined(session),
        ':next': session.version,
        ':state': session.state,
        ':updatedAt': session.updatedAt,
        ':token': token,
        ':none': [],
        ':entries': withoutUndefined(entries),
        ':expected': expectedVersion,
      },
    };
    if (!driver) {
      try {
        await this.doc.send(new UpdateCommand({ ...update, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }));
        return true;
      } catch (e) {
        if (failedOnOwnWrite(e, token)) return true;
        if (lostRace(e)) return false;
        throw new DynamoDbStoreError('commit', this.tables.sessions, e);
      }
    }
    try {
      await this.doc.send(
        new TransactWriteCommand({
          // Makes the SDK's own retries of this call idempotent (10 minutes on the service side).
          ClientRequestToken: token,
          TransactItems: [
            { Update: update },
            { Put: driverPut(this.tables.drivers, driver.next, driver.expectedVersion, token) },
          ],
        }),
      );
      return true;
    } catch (e) {
      if (lostRace(e)) return false;
      throw new DynamoDbStoreError('commit', `${this.tables.sessions}+${this.tables.drivers}`, e);
    }
  }

  async listByDriver(driverId: string, limit: number, nextToken?: string): Promise<Page<Session>> {
    const n = checkLimit(limit, MAX_PAGE);
    const start = nextToken === undefined ? undefined : decodeToken(nextToken);
    // One extra item says whether another page exists, so the last page never comes back empty.
    const out = await wrapped('listByDriver', this.tables.sessions, () =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tables.sessions,
          IndexName: SESSIONS_BY_DRIVER,
          KeyConditionExpression: '#driverId = :driverId',
          ExpressionAttributeNames: { '#driverId': A.driverId, '#doc': A.doc },
          ExpressionAttributeValues: { ':driverId': driverId },
          ProjectionExpression: '#doc',
          ScanIndexForward: false,
          Limit: n + 1,
          ...(start
            ? { ExclusiveStartKey: { [A.id]: start.id, [A.driverId]: driverId, [A.createdAt]: start.createdAt } }
            : {}),
        }),
      ),
    );
    const all = (out.Items ?? []).map((item) => sessionSchema.parse(item[A.doc]));
    const items = all.slice(0, n);
    const last = items.at(-1);
    const more = all.length > n || out.LastEvaluatedKey !== undefined;
    return more && last ? { items, nextToken: encodeToken(last) } : { items };
  }

  async listByState(state: SessionState, limit: number): Promise<Session[]> {
    const n = checkLimit(limit, MAX_STATE_LIST);
    const found: Session[] = [];
    let start: Record<string, unknown> | undefined;
    // Bounded: each round adds items or ends; a 1 MB page cut is the only reason to go round again.
    do {
      const out = await wrapped('listByState', this.tables.sessions, () =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tables.sessions,
            IndexName: SESSIONS_BY_STATE,
            KeyConditionExpression: '#state = :state',
            ExpressionAttributeNames: { '#state': A.state, '#doc': A.doc },
            ExpressionAttributeValues: { ':state': state },
            ProjectionExpression: '#doc',
            Limit: n - found.length,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of out.Items ?? []) found.push(sessionSchema.parse(item[A.doc]));
      start = out.LastEvaluatedKey;
    } while (start && found.length < n);
    return found;
  }

  async ledger(sessionId: string): Promise<LedgerEntry[]> {
    const table = this.tables.sessions;
    const item = await wrapped('ledger', table, () => this.reader.get(table, sessionId, [A.ledger]));
    return z.array(ledgerEntrySchema).parse(item?.[A.ledger] ?? []);
  }
}
