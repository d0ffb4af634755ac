/**
 * Attacks on the Stripe webhook endpoint of the running local stack (issue 9): forged, tampered,
 * stale (replayed past the tolerance), header-less, malformed and oversized deliveries are refused
 * with a clear status and reason and change nothing; a replayed event id is acknowledged and not
 * applied again. The targets are real: a driver's PAID session and another's session waiting for
 * its card, whose forged "card saved" would otherwise close a breaker without a card on file.
 */
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmplifyNodeUser } from '../../support/amplify-node.js';
import { expectHealthy } from '../../support/invariants.js';
import { ok, Q, type SessionDto, signedUpDriver } from '../../support/journey.js';
import { startTestStack, type TestStack } from '../../support/test-stack.js';
import { chargeSession, emulatorStripe, sessionOf, startCharge } from '../support-flows.js';
import { postWebhook, snapshot, stripeSignature } from './attack-kit.js';

let t: TestStack;
let alice: AmplifyNodeUser;
let bob: AmplifyNodeUser;
let paid: SessionDto;
let waiting: SessionDto;
let succeeded: Stripe.Event;

const WAITING_STATION = 'TKY-SBY-02';
const TOLERANCE_SECONDS = 300;

beforeAll(async () => {
  t = await startTestStack({ EV_STATIONS: '5', EV_REPORT_MS: '300' });
  [alice, bob] = await Promise.all([
    signedUpDriver(t.target, t.stack.cognitoPool, 'alice').then((d) => d.user),
    signedUpDriver(t.target, t.stack.cognitoPool, 'bob').then((d) => d.user),
  ]);
  paid = await chargeSession(alice, 'YOK-MM-01'); // ¥110 session fee: always charged
  expect(paid.state).toBe('PAID');
  const started = (await ok(startCharge(bob, WAITING_STATION))).startCharge;
  expect(started.session.state).toBe('AWAITING_PAYMENT_METHOD');
  waiting = started.session;
  const events = await emulatorStripe(t.stack).events.list({ limit: 100 });
  const hit = events.data.find(
    (e) =>
      e.type === 'payment_intent.succeeded' && (e.data.object as Stripe.PaymentIntent).metadata.sessionId === paid.id,
  );
  if (!hit) throw new Error('no payment_intent.succeeded event for the paid session');
  succeeded = hit;
}, 120_000);

afterAll(async () => {
  await alice?.dispose();
  await bob?.dispose();
  await t?.stop();
});

/** A "card saved" event for bob's session: applied, it would energize a station with no card on file. */
function forgedCheckoutCompleted(id = `evt_forged_${Date.now()}`): string {
  return JSON.stringify({
    id,
    object: 'event',
    type: 'checkout.session.completed',
    api_version: succeeded.api_version,
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: 'cs_forged',
        object: 'checkout.session',
        mode: 'setup',
        status: 'complete',
        client_reference_id: waiting.id,
        metadata: { sessionId: waiting.id },
        customer: 'cus_forged',
        setup_intent: 'seti_forged',
        payment_intent: null,
      },
    },
  });
}

describe('webhook endpoint under attack', () => {
  it('refuses forged, tampered, stale, unsigned, malformed and oversized deliveries, and changes nothing', async () => {
    const url = t.stack.urls.webhook;
    const secret = t.stack.secrets.webhookSecret;
    const now = Math.floor(Date.now() / 1000);
    const forged = forgedCheckoutCompleted();
    const genuine = JSON.stringify(succeeded);
    const before = await snapshot(t);

    const refusals: [string, string | Buffer, string | undefined, number, unknown][] = [
      ['forged: signed with a wrong secret', forged, stripeSignature(forged, 'whsec_not_the_secret'), 400, 'signature'],
      ['tampered: a genuine signature over another body', forged, stripeSignature(genuine, secret), 400, 'signature'],
      [
        'tampered: one amount changed after signing',
        genuine.replace(`"amount":${paid.receipt?.chargedYen}`, '"amount":1'),
        stripeSignature(genuine, secret),
        400,
        'signature',
      ],
      [
        'replayed beyond the tolerance (correct secret)',
        forged,
        stripeSignature(forged, secret, now - TOLERANCE_SECONDS - 60),
        400,
        'timestamp',
      ],
      ['missing Stripe-Signature header', forged, undefined, 400, 'signature'],
      ['empty Stripe-Signature header', forged, '', 400, 'signature'],
      ['header without v1', forged, `t=${now}`, 400, 'signature'],
      ['header with a v0 scheme only', forged, `t=${now},v0=${'a'.repeat(64)}`, 400, 'signature'],
      ['signed, but not JSON', '{"id": "evt_x", ', stripeSignature('{"id": "evt_x", ', secret), 400, 'payload'],
      ['signed, but not an event', '{"hello":"world"}', stripeSignature('{"hello":"world"}', secret), 400, 'payload'],
    ];
    for (const [what, body, signature, status, error] of refusals) {
      const res = await postWebhook(url, body, signature);
      expect(res, what).toEqual({ status, body: { error } });
    }
    // The genuine body with its amount changed must really differ, or that case proves nothing.
    expect(genuine).toContain(`"amount":${paid.receipt?.chargedYen}`);

    const huge = Buffer.alloc(2 * 1024 * 1024, 0x20);
    const oversized = await postWebhook(url, huge, stripeSignature(huge.toString(), secret));
    expect(oversized).toEqual({ status: 413, body: { error: 'payload too large', limitBytes: 1_048_576 } });
    expect((await fetch(url)).status).toBe(404);

    expect(await snapshot(t)).toEqual(before);
    expect((await sessionOf(bob, waiting.id)).state).toBe('AWAITING_PAYMENT_METHOD');
    const station = await t.stack.deps.ports.stations.get(WAITING_STATION);
    expect(station?.breaker).toBe('open');
  });

  it('acknowledges a replayed event id without applying it again', async () => {
    const url = t.stack.urls.webhook;
    const secret = t.stack.secrets.webhookSecret;
    const genuine = JSON.stringify(succeeded);
    const before = await snapshot(t);
    expect(before.processedEvents).toContain(succeeded.id);

    // The same delivery re-signed now (as Stripe's own retries are): acknowledged as a duplicate.
    for (let i = 0; i < 3; i++) {
      expect(await postWebhook(url, genuine, stripeSignature(genuine, secret))).toEqual({
        status: 200,
        body: { received: true, duplicate: true },
      });
    }
    // Copies racing each other: each is a duplicate, or told to come back while one is in flight.
    const racing = await Promise.all(
      Array.from({ length: 4 }, () => postWebhook(url, genuine, stripeSignature(genuine, secret))),
    );
    for (const r of racing) {
      expect([
        { status: 200, body: { received: true, duplicate: true } },
        { status: 409, body: { error: 'event in flight' } },
      ]).toContainEqual(r);
    }
    expect(await snapshot(t)).toEqual(before);
    const ledger = await t.stack.deps.ports.sessions.ledger(paid.id);
    expect(ledger.filter((e) => e.to === 'PAID')).toHaveLength(1);
  });

  it('applies a correctly signed event with a new id once, and acknowledges its copy as a duplicate', async () => {
    const url = t.stack.urls.webhook;
    const secret = t.stack.secrets.webhookSecret;
    // Stripe may send one payment's outcome under two event ids: the second must change nothing either.
    const again = JSON.stringify({ ...succeeded, id: `${succeeded.id}_again` });
    const before = await snapshot(t);
    expect(await postWebhook(url, again, stripeSignature(again, secret))).toEqual({
      status: 200,
      body: { received: true },
    });
    expect(await postWebhook(url, again, stripeSignature(again, secret))).toEqual({
      status: 200,
      body: { received: true, duplicate: true },
    });
    const after = await snapshot(t);
    expect(after.store).toEqual(before.store);
    expect(after.paymentIntents).toEqual(before.paymentIntents);
    expect(after.processedEvents).toEqual([...before.processedEvents, `${succeeded.id}_again`].sort());
  });

  it('leaves the platform healthy: the waiting session is cancelled by its driver, nothing is stuck', async () => {
    const cancelled = await ok(bob.graphql<{ stopCharge: SessionDto }>(Q.stop, { id: waiting.id }));
    expect(cancelled.stopCharge.state).toBe('CANCELLED');
    const health = await expectHealthy(t);
    expect(health.charges).toBe(1);
  });
});
