/**
 * Webhook delivery: signed as Stripe signs (`Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")`),
 * retried with exponential backoff on non-2xx/network errors (bounded), with the fault switches
 * (duplicate, delay, reorder, hold/release) applied. Delivery state is persisted, so pending
 * deliveries resume after a restart.
 */
import { createHmac } from 'node:crypto';
import type { Faults } from './faults.js';
import type { Store } from './store.js';

export interface WebhookRetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}
export const DEFAULT_WEBHOOK_RETRY: WebhookRetryOptions = {
  maxAttempts: 8,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  timeoutMs: 5_000,
};

export interface DeliveryAttempt {
  eventId: string;
  type: string;
  url: string;
  attempt: number;
  status: number | 'network-error';
  copy: boolean;
}

export function signPayload(payload: string, secret: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

interface Send {
  deliveryId: string;
  /** A duplicate: sent once regardless of the delivery's state, never retried. */
  copy: boolean;
}

export class WebhookDispatcher {
  readonly attempts: DeliveryAttempt[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly controllers = new Set<AbortController>();
  private held: Send[] = [];
  private reorderBuffer: Send[] = [];
  private inFlight = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly store: Store,
    private readonly faults: Faults,
    private readonly retry: WebhookRetryOptions,
  ) {
    faults.onRelease = (order) => {
      const batch = this.held;
      this.held = [];
      const ordered =
        order === 'reverse' ? batch.reverse() : order === 'shuffle' ? batch.sort(() => Math.random() - 0.5) : batch;
      for (const s of ordered) this.start(s, 0);
    };
  }

  enqueue(deliveryIds: string[]): void {
    for (const id of deliveryIds) {
      const copies = Math.max(0, Math.floor(this.faults.webhooks.duplicate));
      this.route({ deliveryId: id, copy: false });
      for (let i = 0; i < copies; i++) this.route({ deliveryId: id, copy: true });
    }
  }

  resumePending(): void {
    this.enqueue(
      this.store
        .all('delivery')
        .filter((d) => d.status === 'pending')
        .map((d) => d.id),
    );
  }

  /** Resolves when nothing is queued, held back excluded; rejects after timeoutMs. */
  idle(timeoutMs = 10_000): Promise<void> {
    if (this.busy() === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`webhooks still busy after ${timeoutMs} ms`)), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const c of this.controllers) c.abort();
    this.timers.clear();
  }

  private busy(): number {
    return this.inFlight + this.reorderBuffer.length;
  }

  private settle(): void {
    if (this.busy() > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private route(send: Send): void {
    if (this.faults.held) {
      this.held.push(send);
      return;
    }
    if (this.faults.webhooks.reorder) {
      this.reorderBuffer.push(send);
      if (this.reorderBuffer.length === 1) {
        this.later(50, () => {
          const batch = this.reorderBuffer.reverse();
          this.reorderBuffer = [];
          for (const s of batch) this.start(s, 0);
          this.settle();
        });
      }
      return;
    }
    this.start(send, this.faults.webhooks.delayMs);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private start(send: Send, delayMs: number): void {
    this.inFlight += 1;
    this.later(delayMs, () => void this.attempt(send));
  }

  private async attempt(send: Send): Promise<void> {
    const delivery = this.store.get('delivery', send.deliveryId);
    const event = delivery ? this.store.get('event', delivery.eventId) : undefined;
    const endpoint = delivery ? this.store.get('endpoint', delivery.endpointId) : undefined;
    if (this.closed || !delivery || !event || !endpoint || (!send.copy && delivery.status !== 'pending')) {
      this.done();
      return;
    }
    const payload = JSON.stringify(event, null, 2);
    const header = signPayload(payload, endpoint.secret, Math.floor(Date.now() / 1000));
    const controller = new AbortController();
    this.controllers.add(controller);
    const timeout = setTimeout(() => controller.abort(), this.retry.timeoutMs);
    let status: number | 'network-error' = 'network-error';
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'stripe-signature': header,
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        },
        body: payload,
        signal: controller.signal,
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch {
      status = 'network-error';
    } finally {
      clearTimeout(timeout);
      this.controllers.delete(controller);
    }
    if (this.closed) {
      this.done();
      return;
    }
    const attemptNo = delivery.attempts + 1;
    this.attempts.push({
      eventId: event.id,
      type: event.type,
      url: endpoint.url,
      attempt: attemptNo,
      status,
      copy: send.copy,
    });
    if (send.copy) {
      this.done();
      return;
    }
    const success = typeof status === 'number' && status >= 200 && status < 300;
    const current = this.store.get('delivery', delivery.id);
    if (current?.status !== 'pending') {
      this.done();
      return;
    }
    const exhausted = !success && attemptNo >= this.retry.maxAttempts;
    this.store.transaction((tx) => {
      tx.put('delivery', {
        ...current,
        attempts: attemptNo,
        status: success ? 'delivered' : exhausted ? 'failed' : 'pending',
      });
      if (success) tx.put('event', { ...event, pending_webhooks: Math.max(0, event.pending_webhooks - 1) });
    });
    if (!success && !exhausted) {
      const backoff = Math.min(this.retry.baseDelayMs * 2 ** (attemptNo - 1), this.retry.maxDelayMs);
      this.later(backoff, () => void this.attempt(send));
      return;
    }
    this.done();
  }

  private done(): void {
    this.inFlight -= 1;
    this.settle();
  }
}
