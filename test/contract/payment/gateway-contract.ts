/** The PaymentGateway contract: every backend (emulator, Stripe test mode) must pass it unchanged. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayHarness, TestCard } from './gateway-harness.js';
import { TEST_CARDS } from './gateway-harness.js';

const APP = 'http://127.0.0.1:9/app';

export function describeGatewayContract(title: string, makeHarness: () => Promise<GatewayHarness>): void {
  describe(title, () => {
    let h: GatewayHarness;
    beforeAll(async () => {
      h = await makeHarness();
    });
    afterAll(async () => {
      await h?.close();
    });

    const newDriver = async (): Promise<string> => {
      const { customerId } = await h.gateway.ensureCustomer({
        driverId: `drv-${randomUUID()}`,
        email: 'driver@example.com',
      });
      return customerId;
    };

    /** Saves a card the way the product does where possible (hosted setup Checkout), else attaches the test PM. */
    const saveCard = async (customerId: string, card: TestCard): Promise<string> => {
      if (h.payHosted) {
        const sessionId = `ses-${randomUUID()}`;
        const link = await h.gateway.createSetupCheckout({
          customerId,
          sessionId,
          successUrl: `${APP}/ok`,
          cancelUrl: `${APP}/no`,
        });
        const paid = await h.payHosted(link.url, card.number, 'complete');
        expect(paid.outcome).toBe('completed');
        const saved = await h.gateway.savedCardOf(link.checkoutSessionId);
        await h.gateway.setDefaultPaymentMethod(customerId, saved.paymentMethodId);
        return saved.paymentMethodId;
      }
      const pm = await h.stripe.paymentMethods.attach(card.pm, { customer: customerId });
      await h.gateway.setDefaultPaymentMethod(customerId, pm.id);
      return pm.id;
    };

    const charge = (customerId: string, paymentMethodId: string, amountYen: number, key = `chg-${randomUUID()}`) =>
      h.gateway.chargeOffSession({
        customerId,
        paymentMethodId,
        amountYen,
        sessionId: `ses-${key}`,
        attempt: 1,
        idempotencyKey: key,
      });

    it('ensureCustomer returns the same customer for the same driver', async () => {
      const driverId = `drv-${randomUUID()}`;
      const a = await h.gateway.ensureCustomer({ driverId, email: 'same@example.com' });
      const b = await h.gateway.ensureCustomer({ driverId, email: 'same@example.com' });
      expect(b.customerId).toBe(a.customerId);
      expect(a.customerId).toMatch(/^cus_/);
    });

    it('setup Checkout saves the card through the hosted page and makes it the default', async () => {
      if (!h.payHosted) {
        console.log(
          `[${h.name}] hosted setup page needs a browser on real Stripe: card saved via pm_card_visa instead`,
        );
      }
      const customerId = await newDriver();
      const pmId = await saveCard(customerId, TEST_CARDS[0] as TestCard);
      const customer = await h.stripe.customers.retrieve(customerId);
      expect('deleted' in customer && customer.deleted).toBeFalsy();
      if (!('deleted' in customer && customer.deleted)) {
        expect(customer.invoice_settings.default_payment_method).toBe(pmId);
      }
      const pm = await h.stripe.paymentMethods.retrieve(pmId);
      expect(pm.customer).toBe(customerId);
      expect(pm.card?.last4).toBe('4242');
    });

    describe('chargeOffSession with every test card', () => {
      for (const card of TEST_CARDS) {
        it(`${card.number} (${card.label}) → ${card.offSession.kind}`, async () => {
          if (card.needsRealSetup && !h.payHosted) {
            console.log(
              `[${h.name}] ${card.number}: off-session result depends on a browser-completed setup; not run here`,
            );
            return;
          }
          const customerId = await newDriver();
          const pmId = await saveCard(customerId, card);
          const outcome = await charge(customerId, pmId, 1_234);
          expect(outcome.kind).toBe(card.offSession.kind);
          if (outcome.kind === 'declined' && card.offSession.kind === 'declined') {
            expect(outcome.code).toBe(card.offSession.code);
            expect(outcome.declineCode).toBe(card.offSession.declineCode);
            expect(outcome.paymentIntentId).toMatch(/^pi_/);
          }
          if (outcome.kind === 'succeeded' || outcome.kind === 'action_required') {
            const pi = await h.gateway.retrievePaymentIntent(outcome.paymentIntentId);
            // Off-session, an authentication failure leaves the intent waiting for the customer to come back.
            expect(pi?.status).toBe(outcome.kind === 'succeeded' ? 'succeeded' : 'requires_payment_method');
            expect(pi?.amountYen).toBe(1_234);
            expect(pi?.customerId).toBe(customerId);
          }
        });
      }
    });

    it('below ¥50 is amount_too_small and creates nothing', async () => {
      const customerId = await newDriver();
      const pmId = await saveCard(customerId, TEST_CARDS[0] as TestCard);
      expect(await charge(customerId, pmId, 49)).toEqual({ kind: 'amount_too_small' });
      expect(await h.gateway.listPaymentIntents({ customerId, limit: 10 })).toEqual([]);
    });

    it('the same idempotency key never charges twice', async () => {
      const customerId = await newDriver();
      const pmId = await saveCard(customerId, TEST_CARDS[0] as TestCard);
      const key = `chg-${randomUUID()}`;
      const first = await charge(customerId, pmId, 800, key);
      const again = await charge(customerId, pmId, 800, key);
      expect(again).toEqual(first);
      const all = await h.gateway.listPaymentIntents({ customerId, limit: 10 });
      expect(all.filter((p) => p.status === 'succeeded')).toHaveLength(1);
      expect(all[0]?.sessionId).toBe(`ses-${key}`);
    });

    it('payment-mode Checkout collects an outstanding amount (recovery after authentication_required)', async () => {
      const customerId = await newDriver();
      const sessionId = `ses-${randomUUID()}`;
      const link = await h.gateway.createPaymentCheckout({
        customerId,
        sessionId,
        amountYen: 1_500,
        successUrl: `${APP}/paid`,
        cancelUrl: `${APP}/no`,
      });
      expect(link.url).toMatch(/^https?:\/\//);
      const session = await h.stripe.checkout.sessions.retrieve(link.checkoutSessionId);
      expect(session.mode).toBe('payment');
      expect(session.amount_total).toBe(1_500);
      expect(session.client_reference_id).toBe(sessionId);
      if (!h.payHosted) {
        console.log(`[${h.name}] paying the hosted payment page needs a browser: link checked only`);
        return;
      }
      const paid = await h.payHosted(link.url, '4000002760003184', 'complete');
      expect(paid.outcome).toBe('completed');
      const done = await h.stripe.checkout.sessions.retrieve(link.checkoutSessionId);
      expect(done.status).toBe('complete');
      expect(done.payment_status).toBe('paid');
      const pi = await h.gateway.retrievePaymentIntent(String(done.payment_intent));
      expect(pi).toMatchObject({
        status: 'succeeded',
        amountYen: 1_500,
        sessionId,
        setupFutureUsage: 'off_session',
        card: { brand: 'visa', last4: '3184' },
      });
    });

    it('the recovery Checkout saves the card that paid; it then charges off-session as the default', async () => {
      if (!h.payHosted) {
        console.log(`[${h.name}] paying the hosted payment page needs a browser: not run here`);
        return;
      }
      const customerId = await newDriver();
      const declining = await saveCard(customerId, TEST_CARDS[3] as TestCard);
      const link = await h.gateway.createPaymentCheckout({
        customerId,
        sessionId: `ses-${randomUUID()}`,
        amountYen: 700,
        successUrl: `${APP}/paid`,
        cancelUrl: `${APP}/no`,
      });
      expect((await h.payHosted(link.url, '4242424242424242')).outcome).toBe('completed');
      const done = await h.stripe.checkout.sessions.retrieve(link.checkoutSessionId);
      const pi = await h.gateway.retrievePaymentIntent(String(done.payment_intent));
      const card = pi?.card;
      expect(card).toMatchObject({ brand: 'visa', last4: '4242' });
      expect(card?.paymentMethodId).not.toBe(declining);
      const paymentMethodId = card?.paymentMethodId ?? '';
      expect((await h.stripe.paymentMethods.retrieve(paymentMethodId)).customer).toBe(customerId);
      await h.gateway.setDefaultPaymentMethod(customerId, paymentMethodId);
      const customer = await h.stripe.customers.retrieve(customerId);
      if ('deleted' in customer && customer.deleted) throw new Error('customer deleted');
      expect(customer.invoice_settings.default_payment_method).toBe(paymentMethodId);
      expect((await charge(customerId, paymentMethodId, 700)).kind).toBe('succeeded');
    });

    it('refunds fully or partly, idempotently', async () => {
      const customerId = await newDriver();
      const pmId = await saveCard(customerId, TEST_CARDS[0] as TestCard);
      const paid = await charge(customerId, pmId, 1_000);
      if (paid.kind !== 'succeeded') throw new Error(`expected a succeeded charge, got ${paid.kind}`);
      const key = `ref-${randomUUID()}`;
      const part = await h.gateway.refund({
        paymentIntentId: paid.paymentIntentId,
        amountYen: 300,
        idempotencyKey: key,
      });
      const replay = await h.gateway.refund({
        paymentIntentId: paid.paymentIntentId,
        amountYen: 300,
        idempotencyKey: key,
      });
      expect(replay.refundId).toBe(part.refundId);
      await h.gateway.refund({ paymentIntentId: paid.paymentIntentId, idempotencyKey: `ref-${randomUUID()}` });
      const refunds = await h.stripe.refunds.list({ payment_intent: paid.paymentIntentId });
      expect(refunds.data.map((r) => r.amount).sort((a, b) => a - b)).toEqual([300, 700]);
    });

    it('retrieves and lists PaymentIntents for reconciliation', async () => {
      expect(await h.gateway.retrievePaymentIntent('pi_doesnotexist000000000000')).toBeUndefined();
      const customerId = await newDriver();
      const pmId = await saveCard(customerId, TEST_CARDS[0] as TestCard);
      const before = new Date(Date.now() - 2_000).toISOString();
      for (const amount of [100, 200, 300]) await charge(customerId, pmId, amount);
      const two = await h.gateway.listPaymentIntents({ customerId, limit: 2 });
      expect(two).toHaveLength(2);
      const all = await h.gateway.listPaymentIntents({ customerId, createdAfter: before, limit: 50 });
      expect(all.map((p) => p.amountYen).sort((a, b) => a - b)).toEqual([100, 200, 300]);
      expect(all.every((p) => p.customerId === customerId && p.status === 'succeeded')).toBe(true);
    });
  });
}
