import { describe, expect, it } from 'vitest';
import { MemoryClock } from '../../../functions/src/adapters/memory/memory-clock.js';
import { MemoryLogger } from '../../../functions/src/adapters/memory/memory-logger.js';
import { MemoryProcessedEvents } from '../../../functions/src/adapters/memory/memory-processed-events.js';
import { StripePaymentEvents } from '../../../functions/src/adapters/stripe/stripe-payment-events.js';
import { makeHandler } from '../../../functions/src/handlers/stripe-webhook.js';
import type { PaymentEvent } from '../../../functions/src/ports/payment-events.port.js';
import { signPayload } from '../../../infra/local/stripe/webhooks.js';

const SECRET = 'whsec_handler';

function setup(apply: (e: PaymentEvent) => Promise<void> = async () => {}) {
  const clock = new MemoryClock('2026-03-01T00:00:00.000Z');
  const processed = new MemoryProcessedEvents();
  const applied: PaymentEvent[] = [];
  const logger = new MemoryLogger();
  const handler = makeHandler({
    events: new StripePaymentEvents(SECRET, { clock }),
    processed,
    logger,
    clock,
    apply: async (e) => {
      await apply(e);
      applied.push(e);
    },
  });
  const delivery = (id: string, o: { secret?: string; base64?: boolean; type?: string } = {}) => {
    const body = JSON.stringify({
      id,
      object: 'event',
      type: o.type ?? 'payment_intent.succeeded',
      data: { object: { id: 'pi_1', amount: 700, amount_received: 700, metadata: { sessionId: 's1' } } },
    });
    const sig = signPayload(body, o.secret ?? SECRET, Math.floor(clock.now().getTime() / 1000));
    return {
      body: o.base64 ? Buffer.from(body).toString('base64') : body,
      isBase64Encoded: o.base64 ?? false,
      headers: { 'stripe-signature': sig, 'content-type': 'application/json' },
    };
  };
  return { handler, processed, applied, logger, delivery };
}

describe('stripe webhook handler', () => {
  it('applies a verified event, marks it processed and answers 200', async () => {
    const t = setup();
    const res = await t.handler(t.delivery('evt_a', { base64: true }));
    expect(res).toMatchObject({ statusCode: 200 });
    expect(t.applied).toEqual([
      { type: 'payment.succeeded', eventId: 'evt_a', paymentIntentId: 'pi_1', amountYen: 700, sessionId: 's1' },
    ]);
    expect(await t.processed.has('evt_a')).toBe(true);
  });

  it('answers 400 to a bad signature and changes nothing', async () => {
    const t = setup();
    const res = await t.handler(t.delivery('evt_b', { secret: 'whsec_wrong' }));
    expect(res).toMatchObject({ statusCode: 400 });
    expect(t.applied).toEqual([]);
    expect(await t.processed.has('evt_b')).toBe(false);
    expect(JSON.stringify(t.logger.records)).not.toContain('whsec_');
  });

  it('acknowledges a duplicate event id without applying it again', async () => {
    const t = setup();
    await t.handler(t.delivery('evt_c'));
    const again = await t.handler(t.delivery('evt_c'));
    expect(again).toMatchObject({ statusCode: 200 });
    expect(t.applied).toHaveLength(1);
  });

  it('answers 500 when apply throws, so Stripe retries, and applies on the retry', async () => {
    let fail = true;
    const t = setup(async () => {
      if (fail) throw new Error('store unavailable');
    });
    expect(await t.handler(t.delivery('evt_d'))).toMatchObject({ statusCode: 500 });
    expect(await t.processed.has('evt_d')).toBe(false);
    fail = false;
    expect(await t.handler(t.delivery('evt_d'))).toMatchObject({ statusCode: 200 });
    expect(t.applied.map((e) => e.eventId)).toEqual(['evt_d']);
  });

  it('answers 409 to a copy arriving while the same event is being applied', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const t = setup(() => gate);
    const first = t.handler(t.delivery('evt_e'));
    const copy = await t.handler(t.delivery('evt_e'));
    expect(copy).toMatchObject({ statusCode: 409 });
    release();
    expect(await first).toMatchObject({ statusCode: 200 });
    expect(t.applied).toHaveLength(1);
  });

  it('acknowledges unknown event types without applying them', async () => {
    const t = setup();
    expect(await t.handler(t.delivery('evt_f', { type: 'customer.created' }))).toMatchObject({ statusCode: 200 });
    expect(t.applied).toEqual([]);
  });

  it('rejects something that is not a function URL event', async () => {
    const t = setup();
    expect(await t.handler({ body: 42 })).toMatchObject({ statusCode: 400 });
  });
});
