/**
 * startStripeEmulator: one HTTP server on loopback serving the /v1 API subset, the hosted
 * Checkout and 3DS pages, and operator switches; state in memory or under dataDir.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openDispute } from './charges.js';
import { expireDueSessions } from './checkout-sessions.js';
import { ApiError } from './errors.js';
import { type FaultSwitches, Faults } from './faults.js';
import { parseForm } from './form.js';
import { handleHostedPage } from './hosted-pages.js';
import { newId } from './ids.js';
import { ApiRouter } from './router.js';
import { Runtime } from './runtime.js';
import { Store } from './store.js';
import {
  DEFAULT_WEBHOOK_RETRY,
  type DeliveryAttempt,
  WebhookDispatcher,
  type WebhookRetryOptions,
} from './webhooks.js';

export interface StripeEmulatorOptions {
  host?: string;
  /** 0 = ephemeral. */
  port?: number;
  /** Absent = memory only. */
  dataDir?: string;
  webhooks?: { url: string; secret: string }[];
  /** Base URL for hosted pages when the browser reaches the emulator by another address. */
  publicUrl?: string;
  webhookRetry?: Partial<WebhookRetryOptions>;
  /** How often open Checkout Sessions past expires_at are expired (ms). */
  sweepIntervalMs?: number;
}

export interface StripeEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
  faults: FaultSwitches;
  addWebhookEndpoint(url: string, secret: string): void;
  /** Operator switch: the cardholder disputes the PaymentIntent's charge; returns the dispute id. */
  openDispute(paymentIntentId: string): string;
  /** Every webhook delivery attempt so far (for assertions). */
  webhookAttempts(): readonly DeliveryAttempt[];
  /** Resolves when no delivery is queued or in flight (held deliveries excluded). */
  webhooksIdle(timeoutMs?: number): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startStripeEmulator(opts: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const store = new Store(opts.dataDir);
  const faults = new Faults();
  const dispatcher = new WebhookDispatcher(store, faults, { ...DEFAULT_WEBHOOK_RETRY, ...opts.webhookRetry });
  let publicUrl = opts.publicUrl ?? '';
  const rt = new Runtime(store, { publicUrl: () => publicUrl, onDeliveries: (ids) => dispatcher.enqueue(ids) });
  const router = new ApiRouter(rt, faults);

  const addWebhookEndpoint = (url: string, secret: string): void => {
    store.transaction((tx) => {
      const existing = tx.all('endpoint').find((e) => e.url === url);
      tx.put('endpoint', { id: existing?.id ?? newId('we'), url, secret });
    });
  };
  for (const w of opts.webhooks ?? []) addWebhookEndpoint(w.url, w.secret);

  const dispute = (paymentIntentId: string): string =>
    rt.run({ id: null, idempotency_key: null }, (ctx) => openDispute(ctx, paymentIntentId).id);

  const server = createServer((req, res) => {
    void (async () => {
      try {
        const body = await readBody(req);
        const url = new URL(req.url ?? '/', 'http://emulator.local');
        if (url.pathname.startsWith('/v1/')) return await router.handle(req, res, url, body);
        if (url.pathname === '/_emulator/health') {
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ ok: true }));
        }
        if (url.pathname === '/_emulator/disputes' && req.method === 'POST') {
          const pi = parseForm(body).payment_intent;
          const id = dispute(typeof pi === 'string' ? pi : '');
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ id }));
        }
        if (handleHostedPage(rt, req, res, url, body)) return;
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
      } catch (e) {
        if (res.headersSent || res.destroyed) return;
        const status = e instanceof ApiError ? e.status : 500;
        const message = e instanceof Error ? e.message : 'internal error';
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { type: status === 500 ? 'api_error' : 'invalid_request_error', message } }));
      }
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  if (!publicUrl) publicUrl = url;

  const sweeper = setInterval(() => {
    rt.run({ id: null, idempotency_key: null }, (ctx) => expireDueSessions(ctx));
  }, opts.sweepIntervalMs ?? 5_000);
  sweeper.unref();
  dispatcher.resumePending();

  return {
    url,
    port,
    faults,
    addWebhookEndpoint,
    openDispute: dispute,
    webhookAttempts: () => dispatcher.attempts,
    webhooksIdle: (timeoutMs) => dispatcher.idle(timeoutMs),
    close: async () => {
      clearInterval(sweeper);
      dispatcher.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
}
