import { describe, expect, it } from 'vitest';
import { MemoryLivePublisher } from '../../../functions/src/adapters/memory/memory-live-publisher.js';
import { MemoryPaymentGateway } from '../../../functions/src/adapters/memory/memory-payment-gateway.js';
import { LazyLivePublisher, LazyPaymentGateway, once } from '../../../functions/src/composition/lazy-ports.js';
import { makeUseCases } from '../../../functions/src/use-cases/index.js';
import { harness, T0, value } from '../use-cases/harness.js';

function counted<T>(make: () => T, failFirst = 0) {
  const state = { builds: 0 };
  const factory = async () => {
    state.builds += 1;
    if (state.builds <= failFirst) throw new Error(`secret not readable (attempt ${state.builds})`);
    return make();
  };
  return { state, factory };
}

describe('once', () => {
  it('builds on the first call only, and concurrent first calls share that build', async () => {
    const { state, factory } = counted(() => ({ id: Math.random() }));
    const get = once(factory);
    expect(state.builds).toBe(0);
    const [a, b] = await Promise.all([get(), get()]);
    const c = await get();
    expect(state.builds).toBe(1);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it('forgets a failed build so the next call tries again, then keeps the success', async () => {
    const { state, factory } = counted(() => 'client', 1);
    const get = once(factory);
    await expect(get()).rejects.toThrow('attempt 1');
    await expect(get()).resolves.toBe('client');
    await expect(get()).resolves.toBe('client');
    expect(state.builds).toBe(2);
  });
});

describe('LazyPaymentGateway', () => {
  it('reads no secret until a payment method is called, then builds the adapter once for every call', async () => {
    const inner = new MemoryPaymentGateway(() => new Date(T0));
    const { state, factory } = counted(() => inner);
    const lazy = new LazyPaymentGateway(once(factory));
    expect(state.builds).toBe(0);
    const { customerId } = await lazy.ensureCustomer({ driverId: 'drv-1' });
    const setup = await lazy.createSetupCheckout({ customerId, sessionId: 's1', successUrl: 'u', cancelUrl: 'c' });
    inner.completeCheckout(setup.checkoutSessionId);
    const card = await lazy.savedCardOf(setup.checkoutSessionId);
    await lazy.setDefaultPaymentMethod(customerId, card.paymentMethodId);
    const charge = await lazy.chargeOffSession({
      customerId,
      paymentMethodId: card.paymentMethodId,
      amountYen: 500,
      sessionId: 's1',
      attempt: 1,
      idempotencyKey: 'charge:s1:1',
    });
    expect(charge.kind).toBe('succeeded');
    const pi = charge.kind === 'succeeded' ? charge.paymentIntentId : '';
    expect(await lazy.retrievePaymentIntent(pi)).toMatchObject({ id: pi, status: 'succeeded', amountYen: 500 });
    expect(await lazy.listPaymentIntents({ customerId, limit: 10 })).toHaveLength(1);
    await lazy.refund({ paymentIntentId: pi, amountYen: 100, idempotencyKey: 'refund:s1:1' });
    const pay = await lazy.createPaymentCheckout({
      customerId,
      sessionId: 's1',
      amountYen: 111,
      successUrl: 'u',
      cancelUrl: 'c',
    });
    expect(state.builds).toBe(1);
    expect(inner.customers.get('drv-1')).toBe(customerId);
    expect(inner.defaults.get(customerId)).toBe(card.paymentMethodId);
    expect(inner.refunds).toEqual([{ refundId: expect.any(String), paymentIntentId: pi, amountYen: 100 }]);
    expect(inner.checkouts.get(pay.checkoutSessionId)).toMatchObject({ mode: 'payment', amountYen: 111 });
  });

  it('surfaces a failed build to the caller and retries it on the next call', async () => {
    const { state, factory } = counted(() => new MemoryPaymentGateway(), 1);
    const lazy = new LazyPaymentGateway(once(factory));
    await expect(lazy.ensureCustomer({ driverId: 'drv-1' })).rejects.toThrow('secret not readable');
    await expect(lazy.ensureCustomer({ driverId: 'drv-1' })).resolves.toEqual({ customerId: expect.any(String) });
    expect(state.builds).toBe(2);
  });

  it('serves the use-cases unchanged (a first start opens Checkout through it)', async () => {
    const h = harness();
    await h.addStation('TKY-001');
    const { state, factory } = counted(() => h.payments);
    const uc = makeUseCases({ ...h.deps, payments: new LazyPaymentGateway(once(factory)) });
    const out = value(await uc.startCharge({ driverId: 'drv-2', stationId: 'TKY-001', startKey: 'k' }));
    expect(out.session.state).toBe('AWAITING_PAYMENT_METHOD');
    expect(out.checkoutUrl).toBe([...h.payments.checkouts.values()][0]?.url);
    expect(h.payments.customers.has('drv-2')).toBe(true);
    expect(state.builds).toBe(1);
  });
});

describe('LazyLivePublisher', () => {
  it('builds the publisher on the first publish and reuses it, retrying a failed build', async () => {
    const inner = new MemoryLivePublisher();
    const { state, factory } = counted(() => inner, 1);
    const lazy = new LazyLivePublisher(once(factory));
    const h = harness();
    await h.addStation('TKY-001');
    const station = await h.stations.get('TKY-001');
    if (!station) throw new Error('no station');
    await expect(lazy.stationChanged(station)).rejects.toThrow('attempt 1');
    await lazy.stationChanged(station);
    await h.driverWithCard('drv-1');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv-1', stationId: 'TKY-001', startKey: 'k' }));
    await lazy.sessionChanged(session);
    expect(state.builds).toBe(2);
    expect(inner.stations.map((s) => s.id)).toEqual(['TKY-001']);
    expect(inner.sessions.map((s) => s.id)).toEqual([session.id]);
  });
});
