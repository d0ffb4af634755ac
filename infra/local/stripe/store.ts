/**
 * The emulator's state: one map per resource, optionally backed by an append-only JSON-lines log.
 * Each API call is one transaction written as ONE line before the reply goes out, so a kill -9
 * loses nothing acknowledged and never leaves half of a call (e.g. a PaymentIntent without its
 * idempotency record) on disk. writeSync hands the line to the kernel; the page cache survives a
 * process kill.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type Stripe from 'stripe';
import { z } from 'zod';
import type { CardBehaviour } from './cards.js';

export interface PmMeta {
  id: string;
  behaviour: CardBehaviour;
  /** A SetupIntent completed (incl. its challenge): later off-session charges need no new authentication. */
  setupAuthenticated: boolean;
}
export interface IntentAuth {
  /** pi_… or seti_…: the customer completed the simulated 3DS challenge for this confirmation. */
  id: string;
  authenticated: boolean;
}
/** What a Checkout Session carries but does not show: the product line and payment_intent_data. */
export interface CheckoutMeta {
  id: string;
  productName: string;
  paymentIntentData: {
    metadata: Record<string, string>;
    description: string | null;
    setupFutureUsage: 'on_session' | 'off_session' | null;
  };
}
export interface IdempotencyRecord {
  id: string;
  method: string;
  path: string;
  params: string;
  status: number;
  body: string;
  created: number;
}
export interface Delivery {
  id: string;
  eventId: string;
  endpointId: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
}
export interface Endpoint {
  id: string;
  url: string;
  secret: string;
}
export type EmulatorEvent = Stripe.EventBase;

export interface Tables {
  customer: Stripe.Customer;
  payment_method: Stripe.PaymentMethod;
  pm_meta: PmMeta;
  intent_auth: IntentAuth;
  setup_intent: Stripe.SetupIntent;
  payment_intent: Stripe.PaymentIntent;
  charge: Stripe.Charge;
  refund: Stripe.Refund;
  checkout_session: Stripe.Checkout.Session;
  checkout_meta: CheckoutMeta;
  dispute: Stripe.Dispute;
  event: EmulatorEvent;
  idempotency: IdempotencyRecord;
  delivery: Delivery;
  endpoint: Endpoint;
}
export type TableName = keyof Tables;
type Data = { [K in TableName]: Map<string, Tables[K]> };

const TABLES: readonly TableName[] = [
  'customer',
  'payment_method',
  'pm_meta',
  'intent_auth',
  'setup_intent',
  'payment_intent',
  'charge',
  'refund',
  'checkout_session',
  'checkout_meta',
  'dispute',
  'event',
  'idempotency',
  'delivery',
  'endpoint',
];
const tableName = z.enum(TABLES as [TableName, ...TableName[]]);
const logLine = z.object({ at: z.number(), puts: z.array(z.object({ t: tableName, id: z.string(), v: z.unknown() })) });
type Put = { t: TableName; id: string; v: unknown };

function emptyData(): Data {
  return {
    customer: new Map(),
    payment_method: new Map(),
    pm_meta: new Map(),
    intent_auth: new Map(),
    setup_intent: new Map(),
    payment_intent: new Map(),
    charge: new Map(),
    refund: new Map(),
    checkout_session: new Map(),
    checkout_meta: new Map(),
    dispute: new Map(),
    event: new Map(),
    idempotency: new Map(),
    delivery: new Map(),
    endpoint: new Map(),
  };
}

export class Store {
  private readonly data = emptyData();
  private fd: number | undefined;

  constructor(dataDir?: string) {
    if (!dataDir) return;
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'stripe-emulator.log.jsonl');
    if (existsSync(file)) this.replay(readFileSync(file, 'utf8'));
    this.fd = openSync(file, 'a');
  }

  private replay(text: string): void {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    lines.forEach((line, i) => {
      let parsed: z.infer<typeof logLine>;
      try {
        parsed = logLine.parse(JSON.parse(line));
      } catch (e) {
        // A torn final line is a write cut by a kill: it was never acknowledged.
        if (i === lines.length - 1) return;
        throw new Error(`stripe emulator log is corrupt at line ${i + 1}`, { cause: e });
      }
      for (const put of parsed.puts) this.apply(put);
    });
  }

  private apply(put: Put): void {
    // The log holds only what this store wrote, so each value already has its table's shape.
    (this.data[put.t] as Map<string, unknown>).set(put.id, put.v);
  }

  get<K extends TableName>(t: K, id: string): Tables[K] | undefined {
    return this.data[t].get(id);
  }

  all<K extends TableName>(t: K): Tables[K][] {
    return [...this.data[t].values()];
  }

  /** Runs fn synchronously against staged writes; commits them as one log line unless fn throws. */
  transaction<R>(fn: (tx: Tx) => R): R {
    const tx = new Tx(this);
    const result = fn(tx);
    const puts = tx.staged();
    if (puts.length > 0) {
      if (this.fd !== undefined) writeSync(this.fd, `${JSON.stringify({ at: Date.now(), puts })}\n`);
      for (const put of puts) this.apply(put);
    }
    for (const hook of tx.hooks()) hook();
    return result;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export class Tx {
  private readonly overlay = new Map<string, Put>();
  private readonly afterCommit: Array<() => void> = [];

  constructor(private readonly store: Store) {}

  get<K extends TableName>(t: K, id: string): Tables[K] | undefined {
    const staged = this.overlay.get(`${t}\u0000${id}`);
    // Staged values were put through `put`, which is typed per table.
    const value = staged ? (staged.v as Tables[K]) : this.store.get(t, id);
    // Copies, so a handler may edit what it read and `put` it back without touching committed state.
    return value === undefined ? undefined : structuredClone(value);
  }

  all<K extends TableName>(t: K): Tables[K][] {
    const base = this.store.all(t);
    const out = new Map<string, Tables[K]>();
    for (const v of base) {
      const id = (v as { id: string }).id;
      out.set(id, this.get(t, id) ?? structuredClone(v));
    }
    for (const put of this.overlay.values()) {
      if (put.t === t && !out.has(put.id)) out.set(put.id, structuredClone(put.v) as Tables[K]);
    }
    return [...out.values()];
  }

  put<K extends TableName>(t: K, value: Tables[K] & { id: string }): Tables[K] {
    this.overlay.set(`${t}\u0000${value.id}`, { t, id: value.id, v: structuredClone(value) });
    return value;
  }

  onCommit(hook: () => void): void {
    this.afterCommit.push(hook);
  }

  staged(): Put[] {
    return [...this.overlay.values()];
  }

  hooks(): Array<() => void> {
    return this.afterCommit;
  }
}
