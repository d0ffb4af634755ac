import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attachDirectWire } from '../../../infra/local/dynamodb/direct-wire.js';

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
  const client = new DynamoDBClient({
    endpoint,
    region: 'ap-northeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const wire = attachDirectWire(client, () => endpoint);
  return {
    client,
    wire,
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
  };
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
    const { client, wire } = wiredDoc();
    // The SDK refuses while resolving the middleware, before anything is sent.
    expect(() => client.send(new DescribeTableCommand({ TableName: 't' }))).toThrow(/DocumentMarshall is not found/);
    expect(seen).toHaveLength(0);
    wire.close();
  });
});
