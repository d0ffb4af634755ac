import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/src/handlers/pay-outstanding.js';
import { harness, value } from '../use-cases/harness.js';
import { driverIdentity, refusal, resolverEvent } from './resolver-fixtures.js';

/** A driver whose off-session charge was declined: blocked until the session's amount is paid. */
async function declined() {
  const h = harness();
  await h.addStation('TKY-001');
  await h.driverWithCard('drv-1');
  h.payments.scriptCharges('declined');
  const { session } = value(await h.uc.startCharge({ driverId: 'drv-1', stationId: 'TKY-001', startKey: 'tap-1' }));
  value(await h.ackClose(session.id, 10_000));
  value(await h.uc.stopCharge({ driverId: 'drv-1', sessionId: session.id }));
  value(await h.ackOpen(session.id, 12_000)); // 2 kWh × ¥55.5 = ¥111
  const handler = makeHandler({ payOutstanding: h.uc.payOutstanding, logger: h.logger });
  const pay = (args: Record<string, unknown> = {}, sub: string | null = 'drv-1') =>
    handler(resolverEvent('Mutation.payOutstanding', args, sub ? driverIdentity(sub) : null));
  return { h, pay, sessionId: session.id };
}

describe('Mutation.payOutstanding', () => {
  it('opens a payment-mode Checkout for the amount that blocks the driver', async () => {
    const { h, pay, sessionId } = await declined();
    expect((await h.sessions.get(sessionId))?.state).toBe('PAYMENT_FAILED');
    const out = await pay();
    const checkout = [...h.payments.checkouts.values()].find((c) => c.mode === 'payment');
    expect(checkout).toMatchObject({ sessionId, amountYen: 111 });
    expect(out).toEqual({ url: checkout?.url, amountYen: 111 });
  });

  it('says PAYMENT.NOT_REQUIRED when nothing is outstanding', async () => {
    const { h, pay } = await declined();
    await h.driverWithCard('drv-2');
    expect((await refusal(pay({}, 'drv-2'))).errorType).toBe('PAYMENT.NOT_REQUIRED');
    expect((await refusal(pay({}, 'drv-unknown'))).errorType).toBe('DRIVER.NOT_FOUND');
  });

  it('refuses a missing identity and any argument at all', async () => {
    const { h, pay } = await declined();
    expect((await refusal(pay({}, null))).errorType).toBe('UNAUTHORIZED');
    const e = await refusal(pay({ amountYen: 1 }));
    expect(e.errorType).toBe('VALIDATION');
    expect(e.errorInfo).toEqual({ fields: ['amountYen'] });
    expect(e.message).toContain('amountYen');
    expect([...h.payments.checkouts.values()].filter((c) => c.mode === 'payment')).toEqual([]);
  });

  it('hides a processor outage as INTERNAL', async () => {
    const { h, pay } = await declined();
    h.payments.failNext('createPaymentCheckout');
    const e = await refusal(pay());
    expect(e.errorType).toBe('INTERNAL');
    expect(h.logger.at('error').map((r) => r.fields?.field)).toEqual(['Mutation.payOutstanding']);
  });
});
