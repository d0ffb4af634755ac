import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { directDocumentClient, marshalCommand } from '../../../infra/local/dynamodb/direct-wire.js';

/** A loopback stand-in that answers each request from a script and records what it was sent. */
interface Seen {
  target: string | undefined;
  body: Record<string, unknown>;
}
let server: Server;
let endpoint = '';
let seen: Seen[] = [];
let answers: { status: number; body: unknown }[] = [];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    seen.push({ target: req.headers['x-amz-target'] as string | undefined, body: JSON.parse(await readBody(req)) });
    const next = answers.shift() ?? { status: 200, body: {} };
    res.writeHead(next.status, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(next.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen = [];
  answers = [];
});

function wiredDoc() {
  const wire = directDocumentClient(() => endpoint);
  return { wire, doc: wire.doc };
}

/** What the SDK's DocumentClient (as the repositories configure it) would put on the wire for a command. */
async function sdkWireInput(command: object): Promise<unknown> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  let captured: unknown;
  client.middlewareStack.addRelativeTo(
    () => async (args: { input: object }) => {
      captured = args.input;
      throw new Error('captured');
    },
    { name: 'capture', relation: 'after', toMiddleware: 'DocumentMarshall' },
  );
  await doc.send(command as GetCommand).catch(() => undefined);
  client.destroy();
  return captured;
}

describe('direct wire to DynamoDB Local', () => {
  it('posts the marshalled request to the operation and unmarshalls the item', async () => {
    const { doc, wire } = wiredDoc();
    answers.push({ status: 200, body: { Item: { id: { S: 's-1' }, version: { N: '3' }, tags: { L: [{ S: 'a' }] } } } });
    const out = await doc.send(new GetCommand({ TableName: 'ev-sessions', Key: { id: 's-1' }, ConsistentRead: true }));
    expect(out.Item).toEqual({ id: 's-1', version: 3, tags: ['a'] });
    expect(seen).toEqual([
      {
        target: 'DynamoDB_20120810.GetItem',
        body: { TableName: 'ev-sessions', Key: { id: { S: 's-1' } }, ConsistentRead: true },
      },
    ]);
    expect(wire.calls()).toBe(1);
    wire.close();
  });

  it('throws a lost condition under the SDK exception name, with the old item kept raw', async () => {
    const { doc, wire } = wiredDoc();
    answers.push({
      status: 400,
      body: {
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        Message: 'The conditional request failed',
        Item: { writeToken: { S: 'tok' } },
      },
    });
    const err = await doc
      .send(
        new UpdateCommand({
          TableName: 't',
          Key: { id: 'x' },
          UpdateExpression: 'SET a = :a',
          ExpressionAttributeValues: { ':a': 1 },
        }),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: 'ConditionalCheckFailedException',
      message: 'The conditional request failed',
      Item: { writeToken: { S: 'tok' } },
    });
    expect(seen).toHaveLength(1); // a client error is not retried
    wire.close();
  });

  it('retries a 5xx answer and succeeds on the next attempt', async () => {
    const { doc, wire } = wiredDoc();
    answers.push({
      status: 500,
      body: { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'boom' },
    });
    answers.push({ status: 200, body: { Attributes: { n: { N: '2' } } } });
    const out = await doc.send(
      new UpdateCommand({
        TableName: 't',
        Key: { id: 'x' },
        UpdateExpression: 'ADD n :one',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(out.Attributes).toEqual({ n: 2 });
    expect(seen).toHaveLength(2);
    expect(wire.calls()).toBe(1);
    wire.close();
  });

  it('refuses a raw (non-DocumentClient) command with a clear error and sends nothing', async () => {
    const { doc, wire } = wiredDoc();
    await expect(doc.send(new DescribeTableCommand({ TableName: 't' }) as never)).rejects.toThrow(
      /DocumentClient item commands only, not DescribeTableCommand/,
    );
    expect(seen).toHaveLength(0);
    wire.close();
  });

  it('marshals every command the repositories send exactly as the SDK DocumentClient does', async () => {
    const session = { id: 's-1', version: 2, nested: { list: [1, 'a', { x: null }], skip: undefined }, at: 'now' };
    const commands = [
      new GetCommand({ TableName: 't', Key: { id: 's-1' }, ConsistentRead: true, ProjectionExpression: '#d' }),
      new PutCommand({
        TableName: 't',
        Item: { ...session, gone: undefined, tags: new Set(['a', 'b']) },
        ConditionExpression: 'attribute_not_exists(#id)',
        ExpressionAttributeNames: { '#id': 'id' },
      }),
      new UpdateCommand({
        TableName: 't',
        Key: { id: 's-1' },
        UpdateExpression: 'SET #doc = :doc, #ledger = list_append(if_not_exists(#ledger, :none), :entries)',
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#doc': 'doc', '#ledger': 'ledger', '#version': 'version' },
        ExpressionAttributeValues: { ':doc': session, ':none': [], ':entries': [{ at: 'now', n: 1 }], ':expected': 1 },
        ReturnValues: 'ALL_OLD',
      }),
      new QueryCommand({
        TableName: 't',
        IndexName: 'byDriver',
        KeyConditionExpression: 'driverId = :d',
        ExpressionAttributeValues: { ':d': 'drv-1' },
        ExclusiveStartKey: { id: 's-0', driverId: 'drv-1' },
        Limit: 20,
      }),
      new BatchGetCommand({
        RequestItems: {
          t: { Keys: [{ id: 'a' }, { id: 'b' }], ProjectionExpression: 'id' },
          u: { Keys: [{ id: 'c' }] },
        },
      }),
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: 't', Item: session, ConditionExpression: 'attribute_not_exists(id)' } },
          {
            Update: {
              TableName: 'u',
              Key: { id: 'drv-1' },
              UpdateExpression: 'SET balance = :b',
              ConditionExpression: 'version = :v',
              ExpressionAttributeValues: { ':b': 120, ':v': 4 },
            },
          },
          { ConditionCheck: { TableName: 'u', Key: { id: 'x' }, ConditionExpression: 'attribute_exists(id)' } },
          { Delete: { TableName: 't', Key: { id: 'old' } } },
        ],
      }),
    ];
    for (const command of commands) {
      expect(marshalCommand(command).input).toEqual(await sdkWireInput(command));
    }
  });

  it('lets an observer see each call once, with its operation, input and time', async () => {
    const { doc, wire } = wiredDoc();
    const calls: Array<{ operation: string; input: unknown; ms: number }> = [];
    wire.observe((c) => calls.push(c));
    answers.push({ status: 200, body: { Item: { id: { S: 'x' } } } });
    await doc.send(new GetCommand({ TableName: 't', Key: { id: 'x' } }));
    expect(calls).toEqual([
      { operation: 'GetItem', input: { TableName: 't', Key: { id: { S: 'x' } } }, ms: expect.any(Number) },
    ]);
    wire.close();
  });
});
