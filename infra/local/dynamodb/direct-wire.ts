/**
 * A direct wire to DynamoDB Local for the repositories' DocumentClient.
 *
 * The AWS SDK spends ~1.1 ms of CPU per call on this machine above the bare HTTP request (schema
 * serde, endpoint rules, retry strategy, SigV4 — DynamoDB Local checks no signature), about a third
 * of the local stack's CPU per charging session. This middleware takes over after the
 * DocumentClient has marshalled the input: it posts the same DynamoDB JSON-protocol request
 * (`X-Amz-Target: DynamoDB_20120810.<Operation>`) over a keep-alive socket and hands back the same
 * output and error shapes (errors named by their `__type`, with `Item` / `CancellationReasons` kept
 * raw as the SDK keeps them). Repositories, commands and conditions are unchanged; the cloud uses
 * the SDK as is. Measured in test/bench/RESULTS.md.
 *
 * Only DocumentClient commands may use a client wired this way (the anchor is the DocumentClient's
 * marshalling middleware); a raw command fails with the SDK's "DocumentMarshall is not found".
 */
import { Agent, request } from 'node:http';
import type { AttributeValue, DynamoDBClient, ServiceOutputTypes } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

type Raw = Record<string, AttributeValue>;
type Json = Record<string, unknown>;

/** Output fields that carry items, per operation, unmarshalled as the DocumentClient would. */
function unmarshallOutput(operation: string, out: Json): Json {
  const item = (v: unknown) => (v && typeof v === 'object' ? unmarshall(v as Raw) : v);
  const items = (v: unknown) => (Array.isArray(v) ? v.map(item) : v);
  const next = { ...out };
  for (const key of ['Item', 'Attributes', 'LastEvaluatedKey'] as const) {
    if (key in next) next[key] = item(next[key]);
  }
  if ('Items' in next) next.Items = items(next.Items);
  if (operation === 'BatchGetItem') {
    next.Responses = mapValues(next.Responses, items);
    next.UnprocessedKeys = mapValues(next.UnprocessedKeys, (v) => {
      const keys = v as { Keys?: unknown } & Json;
      return { ...keys, Keys: items(keys.Keys) };
    });
  } else if (operation === 'TransactGetItems' && Array.isArray(next.Responses)) {
    next.Responses = next.Responses.map((r: Json) => ({ ...r, Item: item(r.Item) }));
  }
  return next;
}

function mapValues(v: unknown, fn: (x: unknown) => unknown): unknown {
  if (!v || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fn(x)]));
}

/** The SDK's exception shape: `name` from `__type`, the service's extra fields kept. */
export function wireError(status: number, body: Json): Error {
  const type = typeof body.__type === 'string' ? body.__type : `HTTP ${status}`;
  const name = type.slice(type.lastIndexOf('#') + 1);
  const message =
    typeof body.message === 'string' ? body.message : typeof body.Message === 'string' ? body.Message : name;
  const e = Object.assign(new Error(message), body, { $fault: status >= 500 ? 'server' : 'client' });
  e.name = name;
  delete (e as Json).__type;
  return e;
}

/** Network failures and 5xx answers are retried (as the SDK does): writes carry their own tokens. */
const RETRYABLE = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ServiceUnavailable',
  'InternalServerError',
]);
const MAX_ATTEMPTS = 3;
const TIMEOUT_MS = 10_000;

export interface DirectWire {
  /** Calls sent over the wire (one per command, retries not counted). */
  calls(): number;
  close(): void;
}

export function attachDirectWire(client: DynamoDBClient, endpoint: () => string): DirectWire {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let calls = 0;

  function post(operation: string, input: Json): Promise<{ status: number; body: Json }> {
    const url = new URL(endpoint());
    const payload = JSON.stringify(input);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          agent,
          timeout: TIMEOUT_MS,
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'content-length': Buffer.byteLength(payload),
            'x-amz-target': `DynamoDB_20120810.${operation}`,
            // DynamoDB Local wants an authorization header of this shape; it checks no signature.
            authorization:
              'AWS4-HMAC-SHA256 Credential=local/20260101/ap-northeast-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            try {
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Json) : {} });
            } catch (e) {
              reject(e);
            }
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(Object.assign(new Error('DynamoDB Local timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(payload);
    });
  }

  async function send(operation: string, input: Json): Promise<Json> {
    calls++;
    for (let attempt = 1; ; attempt++) {
      let error: Error;
      try {
        const { status, body } = await post(operation, input);
        if (status === 200) return body;
        error = wireError(status, body);
      } catch (e) {
        error = e instanceof Error ? e : new Error(String(e));
      }
      const code = (error as { code?: unknown }).code;
      const retryable = RETRYABLE.has(error.name) || (typeof code === 'string' && RETRYABLE.has(code));
      if (!retryable || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
    }
  }

  const wire = (_next: unknown, context: { commandName?: string }) => async (args: { input: object }) => {
    const operation = (context.commandName ?? '').replace(/Command$/, '');
    const body = await send(operation, args.input as Json);
    // The shape is DynamoDB's own JSON answer, unmarshalled where the DocumentClient would.
    const output = { ...unmarshallOutput(operation, body), $metadata: {} } as ServiceOutputTypes;
    return { output, response: {} };
  };
  // The SDK's logger middleware filters every input and output for a logger this client does not have.
  client.middlewareStack.remove('loggerMiddleware');
  client.middlewareStack.addRelativeTo(wire, {
    name: 'localDirectWire',
    relation: 'after',
    toMiddleware: 'DocumentMarshall',
  });
  return {
    calls: () => calls,
    close: () => agent.destroy(),
  };
}
