/**
 * A direct wire to DynamoDB Local for the repositories' DocumentClient.
 *
 * The AWS SDK spends more CPU per call than the request itself on this machine: a fresh middleware
 * chain per command (endpoint rules, retry strategy, SigV4 — DynamoDB Local checks no signature —,
 * schema serde), the largest single share of the local stack's CPU per charging session after the
 * sockets. `directDocumentClient` stands in for the DocumentClient: it takes the same lib-dynamodb
 * commands, marshals their input exactly as the DocumentClient does (by each command's own key nodes,
 * `removeUndefinedValues`), posts the DynamoDB JSON-protocol request (`X-Amz-Target:
 * DynamoDB_20120810.<Operation>`) over a keep-alive socket and hands back the same output and error
 * shapes (errors named by their `__type`, with `Item` / `CancellationReasons` kept raw as the SDK keeps
 * them). Repositories, commands and conditions are unchanged; the cloud uses the SDK as is. The
 * repository contract suites run over it as a third backend. Measured in test/bench/RESULTS.md.
 */
import { Agent } from 'node:http';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { postOnce } from '../wire-post.js';
import { withRetries } from '../wire-retry.js';

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

const TIMEOUT_MS = 10_000;

/** One call as sent: its operation, its marshalled input, and how long it took (ms, retries included). */
export type WireObserver = (call: { operation: string; input: Json; ms: number }) => void;

export interface DirectWire {
  /** What the repositories use in place of the SDK's DocumentClient (its `send` only). */
  readonly doc: DynamoDBDocumentClient;
  /** Calls sent over the wire (one per command, retries not counted). */
  calls(): number;
  /** Sees every call once it settled (benchmarks count and time them here). */
  observe(observer: WireObserver): void;
  close(): void;
}

/** The DocumentClient commands the wire speaks, and the DynamoDB operation each one is. */
const OPERATIONS = new Map<unknown, string>([
  [GetCommand, 'GetItem'],
  [PutCommand, 'PutItem'],
  [UpdateCommand, 'UpdateItem'],
  [DeleteCommand, 'DeleteItem'],
  [QueryCommand, 'Query'],
  [ScanCommand, 'Scan'],
  [BatchGetCommand, 'BatchGetItem'],
  [BatchWriteCommand, 'BatchWriteItem'],
  [TransactGetCommand, 'TransactGetItems'],
  [TransactWriteCommand, 'TransactWriteItems'],
]);

/**
 * Which parts of an input hold plain values to marshal, as each lib-dynamodb command declares them
 * (`inputKeyNodes`): `null` — this value itself; `{}` or `[]` — every member; `{ '*': n }` — every
 * member, by `n`; `{ k: n, … }` — those keys, each by its `n`, the rest copied as is.
 */
type KeyNodes = null | { [key: string]: KeyNodes } | KeyNodes[];

/** The DocumentClient's marshalling options (ours: undefined dropped; its default: top-level containers converted). */
const MARSHALL = { removeUndefinedValues: true, convertTopLevelContainer: true } as const;

function marshalBy(value: unknown, nodes: KeyNodes): unknown {
  if (value === undefined) return undefined;
  if (nodes === null) return marshall(value as Json, MARSHALL);
  const keys = Object.keys(nodes);
  if (keys.length === 0) return mapMembers(value, null);
  if (keys.length === 1 && keys[0] === '*') return mapMembers(value, (nodes as Record<string, KeyNodes>)['*'] ?? null);
  return marshalKeys(value as Json, nodes as Record<string, KeyNodes>);
}

function mapMembers(value: unknown, nodes: KeyNodes): unknown {
  if (Array.isArray(value)) return value.map((v) => marshalBy(v, nodes));
  const out: Json = {};
  for (const [k, v] of Object.entries(value as Json)) {
    const m = marshalBy(v, nodes);
    if (m !== undefined) out[k] = m;
  }
  return out;
}

function marshalKeys(value: Json, nodes: Record<string, KeyNodes>): Json {
  const out: Json = { ...value };
  for (const [k, n] of Object.entries(nodes)) {
    const m = marshalBy(value[k], n);
    if (m === undefined) delete out[k];
    else out[k] = m;
  }
  return out;
}

/** The JSON-protocol input of a DocumentClient command, as the DocumentClient would send it. */
export function marshalCommand(command: object): { operation: string; input: Json } {
  const operation = OPERATIONS.get(command.constructor);
  if (!operation) {
    throw new TypeError(`the direct wire speaks DocumentClient item commands only, not ${command.constructor.name}`);
  }
  // `inputKeyNodes` is protected on the lib-dynamodb commands (their own marshalling reads it); the
  // unit test checks the result against the SDK's for every command shape the repositories send.
  const { input, inputKeyNodes } = command as unknown as { input: Json; inputKeyNodes: Record<string, KeyNodes> };
  return { operation, input: marshalKeys(input, inputKeyNodes) };
}

export function directDocumentClient(endpoint: () => string): DirectWire {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let calls = 0;
  const observers: WireObserver[] = [];

  async function post(operation: string, input: Json): Promise<{ status: number; body: Json }> {
    const payload = JSON.stringify(input);
    const answer = await postOnce({
      agent,
      url: new URL(endpoint()),
      path: '/',
      timeoutMs: TIMEOUT_MS,
      service: 'DynamoDB Local',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(payload),
        'x-amz-target': `DynamoDB_20120810.${operation}`,
        // DynamoDB Local wants an authorization header of this shape; it checks no signature.
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20260101/ap-northeast-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: payload,
    });
    const text = answer.body.toString('utf8');
    return { status: answer.status, body: text ? (JSON.parse(text) as Json) : {} };
  }

  /** Network failures and 5xx answers are retried (wire-retry.ts): writes carry their own tokens. */
  async function send(operation: string, input: Json): Promise<Json> {
    calls++;
    return withRetries(async () => {
      const { status, body } = await post(operation, input);
      if (status === 200) return body;
      throw wireError(status, body);
    });
  }

  const doc = {
    async send(command: object) {
      const { operation, input } = marshalCommand(command);
      const started = performance.now();
      try {
        const body = await send(operation, input);
        // The shape is DynamoDB's own JSON answer, unmarshalled where the DocumentClient would.
        return { ...unmarshallOutput(operation, body), $metadata: {} };
      } finally {
        const ms = performance.now() - started;
        for (const o of observers) o({ operation, input, ms });
      }
    },
  };
  return {
    // Only `send` is used by the repositories; the rest of the client's surface is not offered.
    doc: doc as unknown as DynamoDBDocumentClient,
    calls: () => calls,
    observe: (o) => void observers.push(o),
    close: () => agent.destroy(),
  };
}
