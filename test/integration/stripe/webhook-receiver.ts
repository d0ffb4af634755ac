/** Test helper: the webhook handler behind a loopback HTTP server, shaped like a Lambda function URL. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MemoryClock } from '../../../functions/src/adapters/memory/memory-clock.js';
import { MemoryLogger } from '../../../functions/src/adapters/memory/memory-logger.js';
import { MemoryProcessedEvents } from '../../../functions/src/adapters/memory/memory-processed-events.js';
import { StripePaymentEvents } from '../../../functions/src/adapters/stripe/stripe-payment-events.js';
import { makeHandler } from '../../../functions/src/handlers/stripe-webhook.js';
import type { PaymentEvent } from '../../../functions/src/ports/payment-events.port.js';

export interface Receiver {
  url: string;
  applied: PaymentEvent[];
  statuses: number[];
  /** Answer 500 (before the handler) to the next n requests. */
  failNext(n: number): void;
  close(): Promise<void>;
}

export async function startReceiver(secrets: string[]): Promise<Receiver> {
  const applied: PaymentEvent[] = [];
  const statuses: number[] = [];
  let failing = 0;
  const clock = { now: () => new Date() } satisfies Pick<MemoryClock, 'now'>;
  const handler = makeHandler({
    events: new StripePaymentEvents(secrets, { clock }),
    processed: new MemoryProcessedEvents(),
    logger: new MemoryLogger(),
    clock,
    apply: async (e) => {
      // Slow enough that duplicated deliveries overlap.
      await new Promise((r) => setTimeout(r, 5));
      applied.push(e);
    },
  });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (failing > 0) {
          failing -= 1;
          statuses.push(500);
          res.writeHead(500).end();
          return;
        }
        const result = await handler({
          body: Buffer.concat(chunks).toString('base64'),
          isBase64Encoded: true,
          headers: Object.fromEntries(
            Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
          ),
        });
        const out = typeof result === 'string' ? { statusCode: 200, body: result } : result;
        statuses.push(out.statusCode ?? 200);
        res.writeHead(out.statusCode ?? 200, { 'content-type': 'application/json' }).end(out.body ?? '');
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/stripe/webhook`,
    applied,
    statuses,
    failNext: (n) => {
      failing = n;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
