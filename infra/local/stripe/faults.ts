/** Test switches: API calls that fail before or after executing, and webhook delivery chaos. */

export type ApiFaultMode =
  /** 500 api_error; nothing executed. */
  | 'error-before'
  /** Executed and saved (idempotency too), but the client sees a 500. */
  | 'error-after'
  /** Connection destroyed; nothing executed. */
  | 'drop-before'
  /** Executed and saved, then the connection is destroyed without a response. */
  | 'drop-after'
  /** Held for stallMs (the key is in flight: retries get 409), then executed even if the client left. */
  | 'timeout-before'
  /** Executed and saved, then the response is held for stallMs (past the client's timeout). */
  | 'timeout-after';

export interface ApiFaultRule {
  method?: string;
  /** Exact path (e.g. '/v1/payment_intents') or a pattern. */
  path: string | RegExp;
  mode: ApiFaultMode;
  /** How many matching calls fail (default 1). */
  times?: number;
  stallMs?: number;
}

export interface WebhookFaults {
  /** Extra copies of every delivery. */
  duplicate: number;
  /** Delay before every first attempt. */
  delayMs: number;
  /** Buffer deliveries for a short window and send each batch in reverse order. */
  reorder: boolean;
}

export interface FaultSwitches {
  failApi(rule: ApiFaultRule): void;
  apiFaultsPending(): number;
  readonly webhooks: WebhookFaults;
  /** Keep deliveries back until releaseWebhooks. */
  holdWebhooks(): void;
  releaseWebhooks(order?: 'fifo' | 'reverse' | 'shuffle'): void;
  reset(): void;
}

interface ArmedRule {
  rule: ApiFaultRule;
  left: number;
}

export class Faults implements FaultSwitches {
  private rules: ArmedRule[] = [];
  readonly webhooks: WebhookFaults = { duplicate: 0, delayMs: 0, reorder: false };
  held = false;
  onRelease: (order: 'fifo' | 'reverse' | 'shuffle') => void = () => {};

  failApi(rule: ApiFaultRule): void {
    this.rules.push({ rule, left: rule.times ?? 1 });
  }

  apiFaultsPending(): number {
    return this.rules.reduce((n, r) => n + r.left, 0);
  }

  /** Consumes one matching fault, if any. */
  take(method: string, path: string): ApiFaultRule | undefined {
    const hit = this.rules.find(
      (r) =>
        r.left > 0 &&
        (r.rule.method === undefined || r.rule.method.toUpperCase() === method) &&
        (typeof r.rule.path === 'string' ? r.rule.path === path : r.rule.path.test(path)),
    );
    if (!hit) return undefined;
    hit.left -= 1;
    this.rules = this.rules.filter((r) => r.left > 0);
    return hit.rule;
  }

  holdWebhooks(): void {
    this.held = true;
  }

  releaseWebhooks(order: 'fifo' | 'reverse' | 'shuffle' = 'fifo'): void {
    this.held = false;
    this.onRelease(order);
  }

  reset(): void {
    this.rules = [];
    this.webhooks.duplicate = 0;
    this.webhooks.delayMs = 0;
    this.webhooks.reorder = false;
    if (this.held) this.releaseWebhooks();
  }
}
