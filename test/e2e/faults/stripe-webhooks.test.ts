/**
 * Issue 9, faults at the Stripe boundary, injected with the emulator's switches (infra/local/stripe/
 * faults.ts) while a session is being charged: 5xx and timeouts on the PaymentIntent call, and
 * webhooks duplicated, reordered and delayed. Every case ends with the shared invariants.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSwitches } from '../../../infra/local/stripe/index.js';
import type { AmplifyNodeUser } from '../../support/amplify-node.js';
import { expectHealthy } from '../../support/invariants.js';
import { startTestStack, type TestStack } from '../../support/test-stack.js';
import {
  BAY_A as A,
  BAY_B as B,
  chargingWith,
  driverWithCard,
  expectBilledOnce,
  ledger,
  sessionWhen,
  startSession,
  stopSession,
  until,
} from './fault-support.js';

let t: TestStack;
let user: AmplifyNodeUser;
let faults: FaultSwitches;
const PI_CREATE = { method: 'POST', path: '/v1/payment_intents' } as const;

beforeAll(async () => {
  // The billing re-drive comes 1.5 s after a charge went quiet (60 s by default).
  t = await startTestStack({ EV_PAYMENT_REDRIVE_SEC: '1.5' });
  const stripe = t.stack.stripe;
  if (!stripe) throw new Error('the fault suite needs the Stripe emulator');
  faults = stripe.faults;
  user = await driverWithCard(t, A, 'faults-stripe');
}, 120_000);

afterAll(async () => {
  faults?.reset();
  await user?.dispose();
  await t?.stop();
});

async function intentsOf(id: string) {
  return (await t.stack.deps.ports.payments.listPaymentIntents({ limit: 1_000 })).filter((pi) => pi.sessionId === id);
}

describe('faults at the Stripe boundary', () => {
  it('5xx before and after the PaymentIntent is created: retried with the same key, one charge', async () => {
    const id = await startSession(user, A);
    await chargingWith(t, id, 2);
    // The first charge attempt fails outright (the SDK's three tries all see a 500 before anything is
    // created); the re-driven attempt creates the intent but sees a 500, and its SDK retry gets the
    // saved response. Webhooks are held so the intent id can only come from the retried call itself.
    faults.failApi({ ...PI_CREATE, mode: 'error-before', times: 3 });
    faults.failApi({ ...PI_CREATE, mode: 'error-after' });
    faults.holdWebhooks();
    try {
      await stopSession(user, id);
      const pending = await sessionWhen(t, id, (s) => s.paymentIntentId !== undefined, 30_000);
      expect(faults.apiFaultsPending()).toBe(0);
      faults.releaseWebhooks();
      const paid = await expectBilledOnce(t, id);
      expect(paid.paymentIntentId).toBe(pending.paymentIntentId);
      // The key was stored before the first call and never changed: every retry named the same charge.
      const keys = (await ledger(t, id)).map((e) => e.evidence.idempotencyKey).filter((k) => k !== undefined);
      expect(keys.length).toBeGreaterThanOrEqual(1);
      expect(new Set(keys).size).toBe(1);
      expect(await intentsOf(id)).toHaveLength(1);
    } finally {
      faults.reset();
    }
    await expectHealthy(t);
  });

  it('a PaymentIntent call that times out after Stripe executed it: the retry gets the same intent, one charge', async () => {
    const id = await startSession(user, B);
    await chargingWith(t, id, 2);
    // Held past the SDK's 20 s timeout; the SDK retries with the same Idempotency-Key.
    faults.failApi({ ...PI_CREATE, mode: 'timeout-after', stallMs: 21_000 });
    faults.failApi({ ...PI_CREATE, mode: 'drop-after' });
    await stopSession(user, id);
    await until(
      'every injected fault to be hit',
      async () => (faults.apiFaultsPending() === 0 ? true : undefined),
      45_000,
    );
    // Let the held response and the SDK's retry finish before judging.
    await new Promise((r) => setTimeout(r, 1_500));
    await expectBilledOnce(t, id);
    expect(await intentsOf(id)).toHaveLength(1);
    await expectHealthy(t);
  }, 90_000);

  it('webhooks duplicated and delayed: one transition each, PAID once', async () => {
    faults.webhooks.duplicate = 2;
    faults.webhooks.delayMs = 800;
    try {
      const id = await startSession(user, A);
      await chargingWith(t, id, 2);
      await stopSession(user, id);
      await expectBilledOnce(t, id);
      await t.stack.stripe?.webhooksIdle(15_000);
      const [pi] = await intentsOf(id);
      const copies = (t.stack.stripe?.webhookAttempts() ?? []).filter(
        (a) => a.type === 'payment_intent.succeeded' && a.copy,
      );
      expect(copies.length).toBeGreaterThanOrEqual(2);
      expect(pi?.status).toBe('succeeded');
    } finally {
      faults.reset();
    }
    await expectHealthy(t);
  });

  it('webhooks held back and released in reverse order: PAID once', async () => {
    const id = await startSession(user, B);
    await chargingWith(t, id, 2);
    faults.holdWebhooks();
    try {
      await stopSession(user, id);
      await sessionWhen(t, id, (s) => s.paymentIntentId !== undefined);
      faults.releaseWebhooks('reverse');
      await expectBilledOnce(t, id);
    } finally {
      faults.reset();
    }
    await expectHealthy(t);
  });

  it('a payment_intent.succeeded delayed past the re-drive: the sweeper reconciles from Stripe, the late event is a no-op', async () => {
    const id = await startSession(user, A);
    await chargingWith(t, id, 2);
    faults.holdWebhooks();
    try {
      await stopSession(user, id);
      // No webhook arrives: the sweeper reads the PaymentIntent itself and records the payment.
      await expectBilledOnce(t, id);
      const entries = (await ledger(t, id)).length;
      faults.releaseWebhooks('shuffle');
      await t.stack.stripe?.webhooksIdle(15_000);
      await until('the late deliveries to be answered', async () =>
        (t.stack.stripe?.webhookAttempts() ?? []).some((a) => a.type === 'payment_intent.succeeded' && a.status === 200)
          ? true
          : undefined,
      );
      expect((await ledger(t, id)).length).toBe(entries);
      await expectBilledOnce(t, id);
    } finally {
      faults.reset();
    }
    await expectHealthy(t);
  });
});
