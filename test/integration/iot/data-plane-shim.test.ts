import { createServer, request } from 'node:http';
import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Command, topicFor } from '../../../contracts/station-protocol.js';
import { BreakerControlError, IotBreakerControl } from '../../../functions/src/adapters/iot/iot-breaker-control.js';
import { makeDataPlaneShim } from '../../../infra/local/iot/data-plane-shim.js';
import { dataPlaneWire } from '../../../infra/local/iot/data-plane-wire.js';
import type { LocalIot } from '../../../infra/local/iot/local-iot.js';
import {
  backendOpts,
  connect,
  endAllClients,
  inbox,
  type LogLine,
  memoryLogger,
  startTestIot,
  stationOpts,
} from './iot-test-kit.js';

const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret-key' };
let iot: LocalIot & { log: LogLine[] };
let sdk: IoTDataPlaneClient;

beforeAll(async () => {
  iot = await startTestIot({ dataPlaneCredentials: credentials });
  sdk = new IoTDataPlaneClient({
    endpoint: iot.publishEndpoint,
    region: 'ap-northeast-1',
    credentials,
    maxAttempts: 1,
  });
});
afterEach(endAllClients);
afterAll(async () => {
  sdk?.destroy();
  await iot?.close();
});

const errorName = (e: unknown) => (e instanceof Error ? e.name : 'none');

function rawPost(url: string, path: string, body = '', headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('IoT data-plane Publish shim (real @aws-sdk/client-iot-data-plane)', () => {
  it('forwards a signed QoS 1 Publish to MQTT subscribers of that topic', async () => {
    const be = await connect(iot.mqttUrl, backendOpts('be-shim'));
    const box = inbox(be);
    await be.subscribeAsync(topicFor('TKY-100', 'cmd'), { qos: 1 });
    const out = await sdk.send(
      new PublishCommand({ topic: topicFor('TKY-100', 'cmd'), qos: 1, payload: Buffer.from('{"x":1}') }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    await box.waitFor(1);
    expect(box.messages[0]).toMatchObject({ topic: topicFor('TKY-100', 'cmd'), payload: '{"x":1}' });
  });

  it('retains when asked, like IoT Core', async () => {
    await sdk.send(
      new PublishCommand({ topic: 'ev/v1/st/TKY-101/state', retain: true, payload: Buffer.from('{"s":1}') }),
    );
    const be = await connect(iot.mqttUrl, backendOpts('be-shim-ret'));
    const box = inbox(be);
    await be.subscribeAsync('ev/v1/st/TKY-101/state', { qos: 1 });
    await box.waitFor(1);
    expect(box.messages[0]).toMatchObject({ payload: '{"s":1}', retain: true });
  });

  it('answers malformed requests with the exceptions the SDK knows', async () => {
    const qos2 = await sdk
      .send(new PublishCommand({ topic: 'a/b', qos: 2, payload: Buffer.from('x') }))
      .catch((e) => e);
    expect(errorName(qos2)).toBe('InvalidRequestException');
    const wildcard = await sdk
      .send(new PublishCommand({ topic: 'ev/v1/st/+/cmd', payload: Buffer.from('x') }))
      .catch((e) => e);
    expect(errorName(wildcard)).toBe('InvalidRequestException');
    const deep = await sdk
      .send(new PublishCommand({ topic: 'a/b/c/d/e/f/g/h/i', payload: Buffer.from('x') }))
      .catch((e) => e);
    expect(errorName(deep)).toBe('InvalidRequestException');
    const big = await sdk
      .send(new PublishCommand({ topic: 'a/b', payload: Buffer.alloc(128 * 1024 + 1) }))
      .catch((e) => e);
    expect(errorName(big)).toBe('RequestEntityTooLargeException');
  });

  it('refuses a request signed with the wrong secret, and unsigned requests', async () => {
    const wrong = new IoTDataPlaneClient({
      endpoint: iot.publishEndpoint,
      region: 'ap-northeast-1',
      credentials: { ...credentials, secretAccessKey: 'guess' },
      maxAttempts: 1,
    });
    const e = await wrong.send(new PublishCommand({ topic: 'a/b', payload: Buffer.from('x') })).catch((x) => x);
    wrong.destroy();
    expect(errorName(e)).toBe('ForbiddenException');
    expect(await rawPost(iot.publishEndpoint, '/topics/a%2Fb?qos=1', 'x')).toBe(403);
    expect(await rawPost(iot.publishEndpoint, '/things/a', 'x')).toBe(404);
    const get = await fetch(`${iot.publishEndpoint}/topics/a`);
    expect(get.status).toBe(405);
    expect(
      iot.log.some((l) => l.msg === 'iot.dataPlane.refused' && l.fields?.reason === 'signature does not match'),
    ).toBe(true);
  });

  it('refuses callers that are not on loopback', async () => {
    const logger = memoryLogger();
    let published = 0;
    const shim = makeDataPlaneShim({ logger, publish: async () => void published++ });
    const server = createServer((req, res) => {
      Object.defineProperty(req.socket, 'remoteAddress', { value: '192.0.2.7' });
      shim(req, res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      const client = new IoTDataPlaneClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'x',
        credentials,
        maxAttempts: 1,
      });
      const e = await client.send(new PublishCommand({ topic: 'a/b', payload: Buffer.from('x') })).catch((x) => x);
      client.destroy();
      expect(errorName(e)).toBe('ForbiddenException');
      expect(published).toBe(0);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('IotBreakerControl (BreakerControl over the IoT data plane)', () => {
  const command = {
    cmdId: 'cmd_1',
    sessionId: 'ses_1',
    action: 'close' as const,
    issuedAt: '2026-11-22T00:00:00.000Z',
    expiresAt: '2026-11-22T00:00:30.000Z',
    limits: { offlineMaxWh: 3000 },
  };

  it('delivers a v1 Command at QoS 1 to the subscribed station, end to end', async () => {
    const st = await connect(iot.mqttUrl, stationOpts('TKY-200'));
    const box = inbox(st);
    await st.subscribeAsync(topicFor('TKY-200', 'cmd'), { qos: 1 });
    let qos = -1;
    st.on('message', (_t, _p, packet) => {
      qos = packet.qos;
    });
    await new IotBreakerControl(sdk).send('TKY-200', command);
    await box.waitFor(1);
    expect(Command.parse(JSON.parse(box.messages[0]?.payload ?? ''))).toEqual({ v: 1, ...command });
    expect(qos).toBe(1);
  });

  it('refuses a station id that is not one topic level, and commands outside the protocol', async () => {
    const bc = new IotBreakerControl(sdk);
    await expect(bc.send('TKY-200/#', command)).rejects.toMatchObject({ code: 'BREAKER.INVALID_STATION' });
    await expect(bc.send('TKY-200', { ...command, expiresAt: 'tomorrow' })).rejects.toMatchObject({
      code: 'BREAKER.INVALID_COMMAND',
    });
  });

  it('rethrows a failed publish as its own error with the SDK error as cause', async () => {
    const dead = new IoTDataPlaneClient({ endpoint: 'http://127.0.0.1:1', region: 'x', credentials, maxAttempts: 1 });
    const e = await new IotBreakerControl(dead).send('TKY-200', command).catch((x: unknown) => x);
    dead.destroy();
    expect(e).toBeInstanceOf(BreakerControlError);
    expect(e).toMatchObject({ code: 'BREAKER.PUBLISH_FAILED' });
    expect((e as Error).cause).toBeInstanceOf(Error);
  });
});

describe("the local stack's direct data-plane wire (the SDK's request without the SDK)", () => {
  it('publishes a signed QoS 1 command the shim accepts, through IotBreakerControl', async () => {
    const wire = dataPlaneWire({ endpoint: iot.publishEndpoint, region: 'ap-northeast-1', credentials });
    try {
      const be = await connect(iot.mqttUrl, backendOpts('be-wire'));
      const box = inbox(be);
      await be.subscribeAsync(topicFor('TKY-300', 'cmd'), { qos: 1 });
      const breaker = new IotBreakerControl(wire.client);
      const now = Date.now();
      await breaker.send('TKY-300', {
        cmdId: 'cmd-w1',
        sessionId: 'ses-w1',
        action: 'close',
        issuedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 30_000).toISOString(),
      });
      await box.waitFor(1);
      const sent = Command.parse(JSON.parse(String(box.messages[0]?.payload)));
      expect(sent).toMatchObject({ cmdId: 'cmd-w1', sessionId: 'ses-w1', action: 'close' });
    } finally {
      wire.close();
    }
  });

  it('retains when asked, and fails with the exception names the SDK would', async () => {
    const wire = dataPlaneWire({ endpoint: iot.publishEndpoint, region: 'ap-northeast-1', credentials });
    try {
      await wire.client.send(
        new PublishCommand({ topic: 'ev/v1/st/TKY-301/state', retain: true, payload: Buffer.from('{"w":1}') }),
      );
      const be = await connect(iot.mqttUrl, backendOpts('be-wire-ret'));
      const box = inbox(be);
      await be.subscribeAsync('ev/v1/st/TKY-301/state', { qos: 1 });
      await box.waitFor(1);
      expect(box.messages[0]).toMatchObject({ payload: '{"w":1}', retain: true });

      const qos2 = await wire.client
        .send(new PublishCommand({ topic: 'a/b', qos: 2, payload: Buffer.from('x') }))
        .catch((e) => e);
      expect(errorName(qos2)).toBe('InvalidRequestException');
      const big = await wire.client
        .send(new PublishCommand({ topic: 'a/b', payload: Buffer.alloc(128 * 1024 + 1) }))
        .catch((e) => e);
      expect(errorName(big)).toBe('RequestEntityTooLargeException');
    } finally {
      wire.close();
    }
  });

  it('is refused with the wrong secret (ForbiddenException), like the SDK', async () => {
    const wire = dataPlaneWire({
      endpoint: iot.publishEndpoint,
      region: 'ap-northeast-1',
      credentials: { ...credentials, secretAccessKey: 'guess' },
    });
    try {
      const e = await wire.client.send(new PublishCommand({ topic: 'a/b', payload: Buffer.from('x') })).catch((x) => x);
      expect(errorName(e)).toBe('ForbiddenException');
    } finally {
      wire.close();
    }
  });
});
