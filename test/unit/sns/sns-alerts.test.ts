import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryAlerts } from '../../../functions/src/adapters/memory/memory-alerts.js';
import { MemoryLogger } from '../../../functions/src/adapters/memory/memory-logger.js';
import { SnsAlerts } from '../../../functions/src/adapters/sns/sns-alerts.js';
import { verifySigV4 } from '../../../infra/local/sigv4/sigv4-verifier.js';

const KEYS = { accessKeyId: 'AKIDSNSTEST', secretAccessKey: 'sns-test-secret' };
const TOPIC = 'arn:aws:sns:ap-northeast-1:123456789012:ev-charge-alarms';
const ALERT = { code: 'STUCK_STOPPING', sessionId: 'ses_1', stationId: 'TKY-001', detail: 'no open ack after 5 tries' };

interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A loopback stand-in for SNS's query API: records each request and answers with `reply`. */
async function fakeSns(reply: (r: Received) => { status: number; body: string }) {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      received.push(r);
      const out = reply(r);
      res.writeHead(out.status, { 'content-type': 'text/xml' }).end(out.body);
    });
  });
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}/`, received };
}

const PUBLISHED = (id: string) =>
  `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${id}</MessageId></PublishResult></PublishResponse>`;

function alerts(endpoint: string) {
  const inner = new MemoryAlerts();
  const logger = new MemoryLogger();
  const sns = new SnsAlerts({
    topicArn: TOPIC,
    region: 'ap-northeast-1',
    credentials: async () => KEYS,
    endpoint,
    timeoutMs: 2_000,
    inner,
    logger,
    now: () => new Date('2026-03-01T09:00:00.000Z'),
  });
  return { sns, inner, logger };
}

describe('SnsAlerts', () => {
  it('publishes each alert to the topic as a SigV4-signed Publish call, after logging it', async () => {
    const fake = await fakeSns(() => ({ status: 200, body: PUBLISHED('msg-1') }));
    const { sns, inner } = alerts(fake.endpoint);
    await sns.raise(ALERT);
    expect(inner.raised).toEqual([ALERT]);
    expect(fake.received).toHaveLength(1);
    const [req] = fake.received;
    if (!req) throw new Error('no request');
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    const form = Object.fromEntries(new URLSearchParams(req.body));
    expect(form).toMatchObject({
      Action: 'Publish',
      Version: '2010-03-31',
      TopicArn: TOPIC,
      Subject: 'ev-charge STUCK_STOPPING at TKY-001',
    });
    expect(JSON.parse(form.Message ?? '')).toEqual({ ...ALERT, at: '2026-03-01T09:00:00.000Z' });
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
    );
    const verdict = await verifySigV4(
      { method: req.method, path: '/', query: {}, headers, body: req.body },
      { ...KEYS, service: 'sns', region: 'ap-northeast-1' },
    );
    expect(verdict).toEqual({ ok: true, accessKeyId: KEYS.accessKeyId });
  });

  it('returns the MessageId SNS assigned', async () => {
    const fake = await fakeSns(() => ({ status: 200, body: PUBLISHED('4f1c-aa') }));
    await expect(alerts(fake.endpoint).sns.publish(ALERT)).resolves.toBe('4f1c-aa');
  });

  it('keeps the subject within SNS rules (ASCII, at most 100 characters)', async () => {
    const fake = await fakeSns(() => ({ status: 200, body: PUBLISHED('m') }));
    await alerts(fake.endpoint).sns.publish({ code: `X_${'Y'.repeat(120)}`, stationId: '駅-1', detail: 'd' });
    const subject = new URLSearchParams(fake.received[0]?.body).get('Subject') ?? '';
    expect(subject.length).toBe(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('throws a SnsPublishError with the AWS error code from publish', async () => {
    const fake = await fakeSns(() => ({
      status: 403,
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code><Message>no</Message></Error></ErrorResponse>',
    }));
    await expect(alerts(fake.endpoint).sns.publish(ALERT)).rejects.toMatchObject({
      name: 'SnsPublishError',
      status: 403,
      code: 'AuthorizationError',
    });
  });

  it('still logs and lists the alert when SNS fails, and says so in the log instead of throwing', async () => {
    const fake = await fakeSns(() => ({
      status: 500,
      body: '<ErrorResponse><Error><Code>InternalError</Code></Error></ErrorResponse>',
    }));
    const { sns, inner, logger } = alerts(fake.endpoint);
    await expect(sns.raise(ALERT)).resolves.toBeUndefined();
    expect(inner.raised).toEqual([ALERT]);
    expect(logger.at('error')).toEqual([
      expect.objectContaining({
        msg: 'alert not published to SNS',
        fields: { code: 'STUCK_STOPPING', error: 'SnsPublishError: SNS Publish failed (500 InternalError)' },
      }),
    ]);
  });
});
