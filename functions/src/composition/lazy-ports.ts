/**
 * Ports whose adapters are built on first use, not at cold start: a function that never charges a card
 * never reads the Stripe secret (and is not granted it), and one that never publishes needs no API URL.
 */
import type { LivePublisher } from '../ports/live-publisher.port.js';
import type { PaymentGateway } from '../ports/payment-gateway.port.js';

export function once<T>(factory: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= factory().catch((e: unknown) => {
      p = undefined; // a failed build is retried by the next call
      throw e;
    });
    return p;
  };
}

export class LazyPaymentGateway implements PaymentGateway {
  constructor(private readonly get: () => Promise<PaymentGateway>) {}
  ensureCustomer: PaymentGateway['ensureCustomer'] = async (i) => (await this.get()).ensureCustomer(i);
  createSetupCheckout: PaymentGateway['createSetupCheckout'] = async (i) => (await this.get()).createSetupCheckout(i);
  savedCardOf: PaymentGateway['savedCardOf'] = async (id) => (await this.get()).savedCardOf(id);
  setDefaultPaymentMethod: PaymentGateway['setDefaultPaymentMethod'] = async (c, pm) =>
    (await this.get()).setDefaultPaymentMethod(c, pm);
  chargeOffSession: PaymentGateway['chargeOffSession'] = async (i) => (await this.get()).chargeOffSession(i);
  createPaymentCheckout: PaymentGateway['createPaymentCheckout'] = async (i) =>
    (await this.get()).createPaymentCheckout(i);
  refund: PaymentGateway['refund'] = async (i) => (await this.get()).refund(i);
  retrievePaymentIntent: PaymentGateway['retrievePaymentIntent'] = async (id) =>
    (await this.get()).retrievePaymentIntent(id);
  listPaymentIntents: PaymentGateway['listPaymentIntents'] = async (i) => (await this.get()).listPaymentIntents(i);
}

export class LazyLivePublisher implements LivePublisher {
  constructor(private readonly get: () => Promise<LivePublisher>) {}
  sessionChanged: LivePublisher['sessionChanged'] = async (s) => (await this.get()).sessionChanged(s);
  stationChanged: LivePublisher['stationChanged'] = async (s) => (await this.get()).stationChanged(s);
}
