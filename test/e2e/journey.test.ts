import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AmplifyNodeUser } from '../support/amplify-node.js';
import { chargeOnce, ok, Q, signedUpDriver } from '../support/journey.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let t: TestStack;
let user: AmplifyNodeUser;

beforeAll(async () => {
  t = await startTestStack();
  user = (await signedUpDriver(t.target, t.stack.cognitoPool)).user;
}, 120_000);

afterAll(async () => {
  await user?.dispose();
  await t?.stop();
});

describe('the driver journey through the API (real aws-amplify v6 client)', () => {
  it('signs up, saves a card through Checkout, charges live, stops and pays, with every step in the ledger', async () => {
    const me = await ok(user.graphql<{ me: { hasCard: boolean; balanceYen: number } }>(Q.me));
    expect(me.me).toMatchObject({ hasCard: false, balanceYen: 0 });

    const run = await chargeOnce(user, 'YOK-MM-01');
    expect(run.usedCheckout).toBe(true);
    expect(run.risingWh[1]).toBeGreaterThan(run.risingWh[0] ?? 0);
    expect(run.final.state).toBe('PAID');
    const receipt = run.final.receipt;
    expect(receipt).not.toBeNull();
    expect(receipt?.energyWh).toBe((receipt?.stopRegisterWh ?? 0) - (receipt?.startRegisterWh ?? 0));
    expect(receipt?.chargedYen).toBeGreaterThanOrEqual(110); // the Minatomirai session fee alone is ¥110
    expect(receipt?.cardLast4).toBe('4242');
    expect(receipt?.paymentIntentId).toMatch(/^pi_/);

    const ledger = await t.stack.deps.ports.sessions.ledger(run.session.id);
    expect(ledger.map((e) => e.to)).toEqual([
      'AWAITING_PAYMENT_METHOD',
      'ENERGIZING',
      'CHARGING',
      'STOPPING',
      'METERED',
      'PAYMENT_PENDING', // billing decided: amount, attempt and idempotency key stored before the call
      'PAYMENT_PENDING', // charge created: the PaymentIntent id stored after the call
      'PAID',
    ]);
    expect(ledger.find((e) => e.to === 'CHARGING')?.evidence.registerWh).toBe(receipt?.startRegisterWh);
    expect(ledger.find((e) => e.to === 'PAID')?.evidence.stripeObjectId).toBe(receipt?.paymentIntentId);
  });

  it('starts a second session with the card on file, without Checkout', async () => {
    const me = await ok(user.graphql<{ me: { hasCard: boolean; cardLast4: string } }>(Q.me));
    expect(me.me).toMatchObject({ hasCard: true, cardLast4: '4242' });
    const run = await chargeOnce(user, 'YOK-MM-02');
    expect(run.usedCheckout).toBe(false);
    expect(run.final.state).toBe('PAID');
    const mine = await ok(user.graphql<{ mySessions: { items: { id: string; state: string }[] } }>(Q.mySessions));
    expect(mine.mySessions.items.map((s) => s.state)).toEqual(['PAID', 'PAID']);
  });
});
