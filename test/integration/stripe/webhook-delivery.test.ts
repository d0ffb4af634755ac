/** Emulator → signed webhook → handler: retries, duplicates, reordering, rotation, exactly one apply per event. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { payHostedCheckout, type StripeEmulator, startStripeEmulator } from '../../../infra/local/stripe/index.js';
import { type Receiver, startReceiver } from './webhook-receiver.js';

const SECRET = 'whsec_delivery_test';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function world(secrets = [SECRET]): Promise<{ emu: StripeEmulator; rx: Receiver; stripe: Stripe }> {
  const rx = await startReceiver(secrets);
  cleanups.push(() => rx.close());
  const emu = await startStripeEmulator({
    webhooks: [{ url: rx.url, secret: SECRET }],
    webhookRetry: { baseDelayMs: 20, maxDelayMs: 200 },
  });
  cleanups.push(() => emu.close());
  const stripe = new Stripe('sk_test_webhooks', {
    host: '127.0.0.1',
    port: emu.port,
    protocol: 'http',
    maxNetworkRetries: 0,
  });
  return { emu, rx, stripe };
}

/** A driver's money path: save a card via Checkout, pay off-session, refund, dispute. */
async function moneyPath(emu: StripeEmulator, stripe: Stripe): Promise<void> {
  const customer = await stripe.customers.create({ email: 'hook@example.com' });
  const cs = await stripe.checkout.sessions.create({
    mode: 'setup',
    customer: customer.id,
    currency: 'jpy',
    client_reference_id: 'ses-hook',
    success_url: 'http://127.0.0.1:9/ok',
  });
  await payHostedCheckout(cs.url ?? '', { card: '4242424242424242' });
  const pm = (await stripe.paymentMethods.list({ customer: customer.id })).data[0];
  const pi = await stripe.paymentIntents.create({
    amount: 1_000,
    currency: 'jpy',
    customer: customer.id,
    payment_method: pm?.id ?? '',
    off_session: true,
    confirm: true,
    metadata: { sessionId: 'ses-hook' },
  });
  await stripe.refunds.create({ payment_intent: pi.id, amount: 100 });
  emu.openDispute(pi.id);
}

const DOMAIN_TYPES = [
  'checkout.session.completed',
  'payment_intent.succeeded',
  'charge.refunded',
  'charge.dispute.created',
];

describe('webhook delivery', () => {
  it('signs deliveries so that stripe.webhooks.constructEvent accepts them', async () => {
    const bodies: Array<{ body: string; sig: string }> = [];
    const raw = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push({ body: Buffer.concat(chunks).toString('utf8'), sig: String(req.headers['stripe-signature']) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise<void>((r) => raw.close(() => r())));
    const emu = await startStripeEmulator({});
    cleanups.push(() => emu.close());
    emu.addWebhookEndpoint(`http://127.0.0.1:${(raw.address() as AddressInfo).port}/hook`, SECRET);
    const stripe = new Stripe('sk_test_sig', { host: '127.0.0.1', port: emu.port, protocol: 'http' });
    await stripe.customers.create({ email: 'sig@example.com' });
    await emu.webhooksIdle();
    expect(bodies).toHaveLength(1);
    const event = stripe.webhooks.constructEvent(bodies[0]?.body ?? '', bodies[0]?.sig ?? '', SECRET);
    expect(event).toMatchObject({
      object: 'event',
      type: 'customer.created',
      data: { object: { email: 'sig@example.com' } },
    });
  });

  it('retries with backoff after non-2xx answers, then applies once', async () => {
    const { emu, rx, stripe } = await world();
    rx.failNext(2);
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const pi = await stripe.paymentIntents.create({
      amount: 500,
      currency: 'jpy',
      customer: customer.id,
      payment_method: pm.id,
      off_session: true,
      confirm: true,
    });
    await emu.webhooksIdle();
    const succeeded = rx.applied.filter((e) => e.type === 'payment.succeeded');
    expect(succeeded).toEqual([expect.objectContaining({ paymentIntentId: pi.id, amountYen: 500 })]);
    expect(rx.statuses.filter((s) => s === 500)).toHaveLength(2);
    expect(emu.webhookAttempts().some((a) => a.attempt >= 2)).toBe(true);
  });

  it('duplicated and reordered deliveries reach apply exactly once per event id', async () => {
    const { emu, rx, stripe } = await world();
    emu.faults.webhooks.duplicate = 2;
    emu.faults.webhooks.reorder = true;
    await moneyPath(emu, stripe);
    await emu.webhooksIdle(15_000);
    const ids = rx.applied.map((e) => e.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    const expected = (await stripe.events.list({ limit: 100 })).data
      .filter((e) => DOMAIN_TYPES.includes(e.type))
      .map((e) => e.id);
    expect([...ids].sort()).toEqual([...expected].sort());
    expect(emu.webhookAttempts().filter((a) => a.copy).length).toBeGreaterThanOrEqual(expected.length * 2);
  });

  it('held deliveries released in reverse order still apply once each', async () => {
    const { emu, rx, stripe } = await world();
    emu.faults.holdWebhooks();
    await moneyPath(emu, stripe);
    expect(rx.applied).toEqual([]);
    emu.faults.releaseWebhooks('reverse');
    await emu.webhooksIdle();
    // Sent newest first, in parallel: arrival order is the network's, so compare as sets.
    expect(rx.applied.map((e) => e.type).sort()).toEqual([
      'checkout.completed',
      'dispute.opened',
      'payment.succeeded',
      'refunded',
    ]);
  });

  it('keeps working across a secret rotation (old and new accepted)', async () => {
    const NEW = 'whsec_rotated';
    const { emu, rx, stripe } = await world([NEW, SECRET]);
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await stripe.paymentIntents.create({
      amount: 600,
      currency: 'jpy',
      customer: customer.id,
      payment_method: pm.id,
      off_session: true,
      confirm: true,
    });
    await emu.webhooksIdle();
    emu.addWebhookEndpoint(rx.url, NEW);
    await stripe.paymentIntents.create({
      amount: 700,
      currency: 'jpy',
      customer: customer.id,
      payment_method: pm.id,
      off_session: true,
      confirm: true,
    });
    await emu.webhooksIdle();
    expect(
      rx.applied
        .filter((e) => e.type === 'payment.succeeded')
        .map((e) => (e.type === 'payment.succeeded' ? e.amountYen : 0)),
    ).toEqual([600, 700]);
    expect(rx.statuses.every((s) => s === 200)).toBe(true);
  });
});
