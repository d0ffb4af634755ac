/**
 * A direct wire to the local IoT data-plane shim for the backend's breaker commands.
 *
 * `IotBreakerControl` sends one `PublishCommand` per command through `@aws-sdk/client-iot-data-plane`,
 * whose per-call middleware chain cost about as much CPU as the rest of the command's trip in the
 * local stack's profile (and sits on the energize path: startCharge → close command → ack). This
 * stand-in takes the same `PublishCommand` and sends the same request the SDK sends —
 * `POST /topics/{urlencoded topic}?qos=N[&retain=true]`, the payload as body, SigV4-signed for
 * `iotdata` — over a keep-alive socket, and fails with the exception name the shim answered
 * (`x-amzn-ErrorType`), as the SDK does. The shim verifies the signature as for the SDK. The cloud
 * keeps the SDK; the shim's own suite runs both clients.
 */
import { Agent } from 'node:http';
import type { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../../functions/src/adapters/appsync/node-sha256.js';
import { postOnce } from '../wire-post.js';
import { withRetries } from '../wire-retry.js';

export interface DataPlaneWireOptions {
  /** The shim's base URL (`http://127.0.0.1:PORT`). */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  timeoutMs?: number;
}

export interface DataPlaneWire {
  /** What `IotBreakerControl` uses in place of the SDK client (its `send` of a PublishCommand only). */
  readonly client: Pick<IoTDataPlaneClient, 'send'>;
  close(): void;
}

/** The SDK's exception shape for a refused call: the name the service put in `x-amzn-ErrorType`. */
function refused(status: number, type: string | undefined, body: string): Error {
  const name = (type ?? `HTTP${status}`).split(':')[0] ?? `HTTP${status}`;
  let message = name;
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: keep the name
  }
  const e = new Error(message);
  e.name = name;
  return Object.assign(e, { $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

/** IotBreakerControl sends a Buffer; a string or Uint8Array is taken too, anything else is refused. */
function payloadBytes(payload: PublishCommand['input']['payload']): Buffer {
  if (payload === undefined) return Buffer.alloc(0);
  if (typeof payload === 'string') return Buffer.from(payload);
  if (payload instanceof Uint8Array) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  throw new TypeError('the data-plane wire sends a string or bytes as the payload');
}

export function dataPlaneWire(opts: DataPlaneWireOptions): DataPlaneWire {
  const url = new URL(opts.endpoint);
  if (url.protocol !== 'http:') throw new Error('the data-plane wire is for the local shim (http) only');
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const signer = new SignatureV4({
    service: 'iotdata',
    region: opts.region,
    credentials: opts.credentials,
    sha256: NodeSha256,
  });
  const timeoutMs = opts.timeoutMs ?? 5_000;

  /**
   * Network failures and 5xx answers are retried (wire-retry.ts; a restarted broker's shim closes the
   * kept-alive socket): a command carries its id, and a station acts on a repeated one only once.
   */
  function publish(input: PublishCommand['input']): Promise<{ $metadata: { httpStatusCode: number } }> {
    return withRetries(() => publishOnce(input));
  }

  async function publishOnce(input: PublishCommand['input']): Promise<{ $metadata: { httpStatusCode: number } }> {
    if (!input.topic) throw new TypeError('a Publish needs a topic');
    const payload = payloadBytes(input.payload);
    const query: Record<string, string> = { qos: String(input.qos ?? 0) };
    if (input.retain) query.retain = 'true';
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: url.protocol,
        hostname: url.hostname,
        port: Number(url.port),
        path: `/topics/${encodeURIComponent(input.topic)}`,
        query,
        headers: { host: url.host, 'content-type': 'application/octet-stream' },
        body: payload,
      }),
    );
    const answer = await postOnce({
      agent,
      url,
      path: `${signed.path}?${new URLSearchParams(query).toString()}`,
      timeoutMs,
      service: 'IoT data plane',
      headers: { ...signed.headers, 'content-length': String(payload.length) },
      body: payload,
    });
    if (answer.status >= 200 && answer.status < 300) return { $metadata: { httpStatusCode: answer.status } };
    const type = answer.headers['x-amzn-errortype'];
    throw refused(answer.status, Array.isArray(type) ? type[0] : type, answer.body.toString('utf8'));
  }

  const client = {
    send(command: PublishCommand) {
      return publish(command.input);
    },
  };
  return {
    // Only a PublishCommand is ever sent: IotBreakerControl's one call.
    client: client as unknown as Pick<IoTDataPlaneClient, 'send'>,
    close: () => agent.destroy(),
  };
}
