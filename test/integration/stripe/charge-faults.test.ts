/**
 * Money is never taken twice: injected 5xx, timeouts and dropped responses around the off-session
 * PaymentIntent create, with the SDK's retries, the caller's retries and a crash between "Stripe
 * answered" and "we saved it", leave exactly one succeeded charge per idempotency key.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStripeClient } from '../../../functions/src/adapters/stripe/stripe-client.js';
import { StripePaymentGateway } from '../../../functions/src/adapters/stripe/stripe-payment-gateway.js';
import type { ChargeOutcome } from '../../../functions/src/ports/payment-gateway.port.js';
import { type ApiFaultMode, type StripeEmulator, startStripeEmulator } from '../../../infra/local/stripe/index.js';

const MODES: ApiFaultMode[] = [
  'error-before',
  'error-after',
  'drop-before',
  'drop-after',
  'timeout-before',
  'timeout-after',
];
const CLIENT_TIMEOUT_MS = 300;
const STALL_MS = 600;

let emu: StripeEmulator;
beforeAll(async () => {
  emu = await startStripeEmulator({});
});
afterAll(async () => {
  await emu?.close();
});

function gateway(maxNetworkRetries: number) {
  const stripe = createStripeClient({
    secretKey: 'sk_test_faults',
    apiBase: emu.url,
    maxNetworkRetries,
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
  return { stripe, gw: new StripePaymentGateway(stripe) };
}

/** The caller's side: retry the same key while the outcome says "retryable" (bounded). */
async function chargeUntilSettled(
  gw: StripePaymentGateway,
  input: Parameters<StripePaymentGateway['chargeOffSession']>[0],
) {
  const seen: ChargeOutcome['kind'][] = [];
  for (let i = 0; i < 8; i++) {
    const outcome = await gw.chargeOffSession(input);
    seen.push(outcome.kind);
    if (outcome.kind !== 'retryable') return { outcome, seen };
    await new Promise((r) => setTimeout(r, STALL_MS));
  }
  throw new Error(`still retryable after 8 attempts: ${seen.join(',')}`);
}

async function succeededFor(customerId: string): Promise<number> {
  const { stripe } = gateway(0);
  const list = await stripe.paymentIntents.list({ customer: customerId, limit: 100 });
  return list.data.filter((pi) => pi.status === 'succeeded').length;
}

describe('off-session charge under injected faults', () => {
  for (const retries of [0, 2]) {
    for (const mode of MODES) {
      it(`${mode}, SDK retries ${retries}, then a crash and a re-run: one succeeded charge`, async () => {
        const { stripe, gw } = gateway(retries);
        const customer = await stripe.customers.create({});
        const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
        const sessionId = `ses-${randomUUID()}`;
        const input = {
          customerId: customer.id,
          paymentMethodId: pm.id,
          amountYen: 1_100,
          sessionId,
          attempt: 1,
          idempotencyKey: `charge:${sessionId}:1`,
        };
        emu.faults.failApi({ method: 'POST', path: '/v1/payment_intents', mode, times: 2, stallMs: STALL_MS });
        const first = await chargeUntilSettled(gw, input);
        expect(first.outcome.kind).toBe('succeeded');
        // The process "crashed" before saving the PaymentIntent id: the re-run uses the same key.
        const rerun = await gw.chargeOffSession(input);
        expect(rerun).toEqual(first.outcome);
        await new Promise((r) => setTimeout(r, STALL_MS));
        expect(await succeededFor(customer.id)).toBe(1);
        expect(emu.faults.apiFaultsPending()).toBe(0);
      });
    }
  }

  it('a key still in flight answers 409 and the SDK waits for the first result', async () => {
    const { stripe, gw } = gateway(3);
    const customer = await stripe.customers.create({});
    const pm = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const key = `charge:${randomUUID()}`;
    emu.faults.failApi({ method: 'POST', path: '/v1/payment_intents', mode: 'timeout-before', stallMs: 1_200 });
    const input = {
      customerId: customer.id,
      paymentMethodId: pm.id,
      amountYen: 900,
      sessionId: 's',
      attempt: 1,
      idempotencyKey: key,
    };
    const [a, b] = await Promise.all([gw.chargeOffSession(input), gw.chargeOffSession(input)]);
    expect(a.kind === 'succeeded' || a.kind === 'retryable').toBe(true);
    expect(b.kind === 'succeeded' || b.kind === 'retryable').toBe(true);
    await new Promise((r) => setTimeout(r, 1_300));
    const settled = await gw.chargeOffSession(input);
    expect(settled.kind).toBe('succeeded');
    expect(await succeededFor(customer.id)).toBe(1);
  });
});
