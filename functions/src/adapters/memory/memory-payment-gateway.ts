import type {
  ChargeOutcome,
  CheckoutLinkResult,
  OffSessionCharge,
  PaymentGateway,
  PaymentIntentStatus,
  PaymentIntentView,
  SavedCard,
} from '../../ports/payment-gateway.port.js';

/**
 * What the next off-session charge does. `retryable` fails before the processor saw the request
 * (nothing is stored under the key); `lost_response` succeeds at the processor but the caller only
 * sees a retryable error — a retry with the same key then gets the stored success, as with Stripe.
 */
export type ChargeScript =
  | 'succeeded'
  | 'processing'
  | 'action_required'
  | 'declined'
  | 'amount_too_small'
  | 'retryable'
  | 'lost_response';

export interface FakeCheckout {
  id: string;
  mode: 'setup' | 'payment';
  customerId: string;
  sessionId: string;
  amountYen?: number;
  url: string;
  status: 'open' | 'complete' | 'expired';
  card?: SavedCard;
  paymentIntentId?: string;
  /** Payment mode: the card that pays is also saved to the customer (as the real adapter asks). */
  setupFutureUsage?: 'off_session';
}

interface StoredCharge {
  fingerprint: string;
  outcome: ChargeOutcome;
}

type Method = keyof PaymentGateway;
const MIN_YEN = 50;
const VISA: Omit<SavedCard, 'paymentMethodId'> = { brand: 'visa', last4: '4242' };

/** A scriptable, stateful card processor: outcomes per call, idempotency-key replay, PaymentIntents. */
export class MemoryPaymentGateway implements PaymentGateway {
  readonly customers = new Map<string, string>();
  readonly checkouts = new Map<string, FakeCheckout>();
  readonly intents = new Map<string, PaymentIntentView>();
  readonly defaults = new Map<string, string>();
  /** Saved cards: payment method id → the customer it is attached to. */
  readonly attached = new Map<string, string>();
  readonly chargeCalls: OffSessionCharge[] = [];
  readonly refunds: { refundId: string; paymentIntentId: string; amountYen?: number }[] = [];
  private readonly byKey = new Map<string, StoredCharge>();
  private readonly script: ChargeScript[] = [];
  private readonly failures = new Map<Method, number>();
  private counter = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  scriptCharges(...steps: ChargeScript[]): void {
    this.script.push(...steps);
  }

  /** The next `count` calls of `method` throw, as an unexpected provider failure would. */
  failNext(method: Method, count = 1): void {
    this.failures.set(method, (this.failures.get(method) ?? 0) + count);
  }

  async ensureCustomer(input: { driverId: string; email?: string }): Promise<{ customerId: string }> {
    this.maybeFail('ensureCustomer');
    let id = this.customers.get(input.driverId);
    if (!id) {
      id = this.id('cus');
      this.customers.set(input.driverId, id);
    }
    return { customerId: id };
  }

  async createSetupCheckout(input: {
    customerId: string;
    sessionId: string;
    successUrl: string;
    cancelUrl: string;
  }): Promise<CheckoutLinkResult> {
    this.maybeFail('createSetupCheckout');
    return this.openCheckout({ mode: 'setup', customerId: input.customerId, sessionId: input.sessionId });
  }

  async createPaymentCheckout(input: {
    customerId: string;
    sessionId: string;
    amountYen: number;
    successUrl: string;
    cancelUrl: string;
  }): Promise<CheckoutLinkResult> {
    this.maybeFail('createPaymentCheckout');
    return this.openCheckout({ ...input, mode: 'payment', setupFutureUsage: 'off_session' });
  }

  /**
   * The driver completes the hosted page: setup saves a card; payment mode creates a paid intent with
   * that card, saved to the customer too when the checkout asked for it.
   */
  completeCheckout(checkoutSessionId: string, card: Omit<SavedCard, 'paymentMethodId'> = VISA): FakeCheckout {
    const checkout = this.checkouts.get(checkoutSessionId);
    if (!checkout) throw new Error(`no such checkout ${checkoutSessionId}`);
    if (checkout.status === 'open') {
      checkout.status = 'complete';
      const saved: SavedCard = { paymentMethodId: this.id('pm'), ...card };
      checkout.card = saved;
      if (checkout.mode === 'setup' || checkout.setupFutureUsage)
        this.attached.set(saved.paymentMethodId, checkout.customerId);
      if (checkout.mode === 'payment') {
        checkout.paymentIntentId = this.newIntent('succeeded', checkout.amountYen ?? 0, checkout, {
          card: saved,
          ...(checkout.setupFutureUsage ? { setupFutureUsage: checkout.setupFutureUsage } : {}),
        }).id;
      }
    }
    return { ...checkout };
  }

  expireCheckout(checkoutSessionId: string): void {
    const checkout = this.checkouts.get(checkoutSessionId);
    if (checkout?.status === 'open') checkout.status = 'expired';
  }

  async savedCardOf(checkoutSessionId: string): Promise<SavedCard> {
    this.maybeFail('savedCardOf');
    const card = this.checkouts.get(checkoutSessionId)?.card;
    if (!card) throw new Error(`checkout ${checkoutSessionId} has no saved card`);
    return { ...card };
  }

  async setDefaultPaymentMethod(customerId: string, paymentMethodId: string): Promise<void> {
    this.maybeFail('setDefaultPaymentMethod');
    this.defaults.set(customerId, paymentMethodId);
  }

  async chargeOffSession(input: OffSessionCharge): Promise<ChargeOutcome> {
    this.maybeFail('chargeOffSession');
    this.chargeCalls.push({ ...input });
    const fingerprint = `${input.customerId}|${input.paymentMethodId}|${input.amountYen}|${input.sessionId}`;
    const stored = this.byKey.get(input.idempotencyKey);
    if (stored) {
      if (stored.fingerprint !== fingerprint) throw new Error(`idempotency_error: key ${input.idempotencyKey} reused`);
      return { ...stored.outcome };
    }
    const step: ChargeScript = input.amountYen < MIN_YEN ? 'amount_too_small' : (this.script.shift() ?? 'succeeded');
    if (step === 'retryable') return { kind: 'retryable', message: 'connection reset before the request arrived' };
    const outcome = this.process(step === 'lost_response' ? 'succeeded' : step, input);
    this.byKey.set(input.idempotencyKey, { fingerprint, outcome });
    if (step === 'lost_response') return { kind: 'retryable', message: 'response lost after processing' };
    return { ...outcome };
  }

  async refund(input: {
    paymentIntentId: string;
    amountYen?: number;
    idempotencyKey: string;
  }): Promise<{ refundId: string }> {
    this.maybeFail('refund');
    const refundId = this.id('re');
    this.refunds.push({ refundId, paymentIntentId: input.paymentIntentId, amountYen: input.amountYen });
    return { refundId };
  }

  async retrievePaymentIntent(id: string): Promise<PaymentIntentView | undefined> {
    this.maybeFail('retrievePaymentIntent');
    const pi = this.intents.get(id);
    return pi ? { ...pi, ...(pi.card ? { card: { ...pi.card } } : {}) } : undefined;
  }

  async listPaymentIntents(input: {
    customerId?: string;
    createdAfter?: string;
    limit: number;
  }): Promise<PaymentIntentView[]> {
    this.maybeFail('listPaymentIntents');
    return [...this.intents.values()]
      .filter((pi) => !input.customerId || pi.customerId === input.customerId)
      .filter((pi) => !input.createdAfter || pi.created > input.createdAfter)
      .slice(0, input.limit)
      .map((pi) => ({ ...pi }));
  }

  /** Moves an intent on, as the processor does after on-session authentication. */
  setIntentStatus(id: string, status: PaymentIntentStatus): void {
    const pi = this.intents.get(id);
    if (!pi) throw new Error(`no such payment intent ${id}`);
    pi.status = status;
  }

  succeededIntents(sessionId?: string): PaymentIntentView[] {
    return [...this.intents.values()].filter(
      (pi) => pi.status === 'succeeded' && (sessionId === undefined || pi.sessionId === sessionId),
    );
  }

  private process(step: Exclude<ChargeScript, 'retryable' | 'lost_response'>, input: OffSessionCharge): ChargeOutcome {
    switch (step) {
      case 'amount_too_small':
        return { kind: 'amount_too_small' };
      case 'succeeded':
        return { kind: 'succeeded', paymentIntentId: this.newIntent('succeeded', input.amountYen, input).id };
      case 'processing':
        return { kind: 'processing', paymentIntentId: this.newIntent('processing', input.amountYen, input).id };
      case 'action_required':
        return {
          kind: 'action_required',
          paymentIntentId: this.newIntent('requires_action', input.amountYen, input).id,
        };
      case 'declined':
        return {
          kind: 'declined',
          paymentIntentId: this.newIntent('requires_payment_method', input.amountYen, input).id,
          code: 'card_declined',
          declineCode: 'insufficient_funds',
          message: 'Your card has insufficient funds.',
        };
    }
  }

  private newIntent(
    status: PaymentIntentStatus,
    amountYen: number,
    ref: { customerId: string; sessionId: string; paymentMethodId?: string },
    extra: Pick<PaymentIntentView, 'card' | 'setupFutureUsage'> = {},
  ): PaymentIntentView {
    const pi: PaymentIntentView = {
      id: this.id('pi'),
      status,
      amountYen,
      customerId: ref.customerId,
      sessionId: ref.sessionId,
      created: this.now().toISOString(),
      ...(ref.paymentMethodId ? { card: { paymentMethodId: ref.paymentMethodId } } : {}),
      ...extra,
    };
    this.intents.set(pi.id, pi);
    return pi;
  }

  private openCheckout(input: Omit<FakeCheckout, 'id' | 'url' | 'status'>): CheckoutLinkResult {
    const id = this.id(`cs_${input.mode === 'setup' ? 'setup' : 'pay'}`);
    const url = `https://checkout.example.test/c/${id}`;
    this.checkouts.set(id, { ...input, id, url, status: 'open' });
    return { checkoutSessionId: id, url };
  }

  private id(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${String(this.counter).padStart(6, '0')}`;
  }

  private maybeFail(method: Method): void {
    const left = this.failures.get(method) ?? 0;
    if (left > 0) {
      this.failures.set(method, left - 1);
      throw new Error(`payment provider unavailable (${method})`);
    }
  }
}
