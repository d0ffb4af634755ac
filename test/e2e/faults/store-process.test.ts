/**
 * Issue 9, faults at the store and the process: the process dies between Stripe creating the
 * PaymentIntent and the backend saving its id, and DynamoDB Local is restarted mid-session. Every
 * case ends with the shared invariants (expectHealthy).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OffSessionCharge, PaymentGateway } from '../../../functions/src/ports/payment-gateway.port.js';
import type { AmplifyNodeUser } from '../../support/amplify-node.js';
import { expectHealthy } from '../../support/invariants.js';
import { ok, Q } from '../../support/journey.js';
import { startTestStack, type TestStack } from '../../support/test-stack.js';
import {
  BAY_A as A,
  BAY_B as B,
  chargingWith,
  driverWithCard,
  expectBilledOnce,
  ledger,
  node,
  sessionWhen,
  startSession,
  stopSession,
  until,
} from './fault-support.js';

let t: TestStack;
let user: AmplifyNodeUser;

beforeAll(async () => {
  // The billing re-drive comes 1.5 s after a charge went quiet (60 s by default). Silent logs: with
  // DynamoDB Local down, every station message fails loudly, and that is the injected fault.
  t = await startTestStack({ EV_PAYMENT_REDRIVE_SEC: '1.5', EV_LOG_LEVEL: 'silent' });
  user = await driverWithCard(t, A, 'faults-store');
}, 120_000);

afterAll(async () => {
  await user?.dispose();
  await t?.stop();
});

/**
 * The payment gateway as a process that dies right after Stripe answered the first charge: the
 * PaymentIntent exists at Stripe, but the invocation never returns, so its id is never saved — what
 * `kill -9` at that instant leaves behind. Every other call passes through unchanged.
 */
function crashAfterFirstCharge(real: PaymentGateway) {
  const crashed: { input: OffSessionCharge; paymentIntentId?: string }[] = [];
  const gateway = new Proxy(real, {
    get(target, prop) {
      if (prop === 'chargeOffSession') {
        return async (input: OffSessionCharge) => {
          if (crashed.length > 0) return target.chargeOffSession(input);
          const outcome = await target.chargeOffSession(input);
          crashed.push({
            input,
            ...('paymentIntentId' in outcome ? { paymentIntentId: outcome.paymentIntentId } : {}),
          });
          return new Promise<never>(() => {});
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { gateway, crashed };
}

describe('faults at the store and the process', () => {
  it('the process dies between creating the PaymentIntent and saving it: the retry reuses the key, one charge', async () => {
    const ports = t.stack.deps.ports;
    const real = ports.payments;
    const crash = crashAfterFirstCharge(real);
    const stripe = t.stack.stripe;
    if (!stripe) throw new Error('the fault suite needs the Stripe emulator');
    // No webhook may tell the backend about the intent: only the re-drive can find it.
    stripe.faults.holdWebhooks();
    ports.payments = crash.gateway;
    try {
      const id = await startSession(user, A);
      await chargingWith(t, id, 2);
      await stopSession(user, id);
      const created = await until('Stripe to create the intent', async () => crash.crashed[0]);
      expect(created.paymentIntentId).toMatch(/^pi_/);
      const pendingAtCrash = await t.stack.deps.ports.sessions.get(id);
      expect(pendingAtCrash?.state).toBe('PAYMENT_PENDING');
      expect(pendingAtCrash?.idempotencyKey).toBe(created.input.idempotencyKey);

      // The sweeper re-drives the charge with the persisted key; Stripe answers with the same intent.
      const saved = await sessionWhen(t, id, (s) => s.paymentIntentId !== undefined, 30_000);
      expect(saved.paymentIntentId).toBe(created.paymentIntentId);
      stripe.faults.releaseWebhooks();
      const paid = await expectBilledOnce(t, id);
      expect(paid.paymentIntentId).toBe(created.paymentIntentId);
      const keys = (await ledger(t, id)).map((e) => e.evidence.idempotencyKey).filter((k) => k !== undefined);
      expect(new Set(keys)).toEqual(new Set([created.input.idempotencyKey]));
    } finally {
      ports.payments = real;
      stripe.faults.reset();
    }
    await expectHealthy(t);
  });

  it('DynamoDB Local restarted mid-session: the stack keeps serving after it is back and nothing on disk is lost', async () => {
    const id = await startSession(user, B);
    const charging = await chargingWith(t, id, 2);
    const entriesBefore = await ledger(t, id);
    const oldPid = t.stack.children.dynamodb;

    await t.stack.restartDynamoDb({ downMs: 1_000 });
    expect(t.stack.children.dynamodb).not.toBe(oldPid);

    // The session, its ledger and the driver are where they were; the meter kept running meanwhile.
    const after = await sessionWhen(t, id, (s) => s.state === 'CHARGING', 20_000);
    expect(after.startRegisterWh).toBe(charging.startRegisterWh);
    expect(await ledger(t, id)).toEqual(entriesBefore);
    const me = await ok(user.graphql<{ me: { hasCard: boolean } }>(Q.me));
    expect(me.me.hasCard).toBe(true);
    await until('more energy after the restart', async () =>
      node(t, B).station.registerWh > (charging.startRegisterWh ?? 0) + 4 ? true : undefined,
    );

    await stopSession(user, id);
    await expectBilledOnce(t, id);
    // And a new session starts and completes on the restarted store.
    const next = await startSession(user, B);
    await chargingWith(t, next, 1);
    await stopSession(user, next);
    await expectBilledOnce(t, next);
    await expectHealthy(t);
  });
});
