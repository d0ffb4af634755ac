import { isDeepStrictEqual } from 'node:util';
import { type DocumentNode, execute } from 'graphql';
import { executionError, type Published } from './appsync-execute.js';
import type { RequestContext } from './appsync-resolver-events.js';
import type { AppSyncSchema } from './appsync-schema.js';
import type { Principal, SubscriptionFilter } from './appsync-types.js';

export interface ActiveSubscription {
  /** The id the client chose in its `start` message (unique per connection). */
  id: string;
  connectionId: string;
  fieldName: string;
  /** Coerced subscription arguments: the client's own filter. */
  args: Record<string, unknown>;
  document: DocumentNode;
  operationName?: string;
  variables: Record<string, unknown>;
  principal: Principal;
  headers: Record<string, string | undefined>;
  send(message: unknown): void;
}

function sameValue(expected: unknown, actual: unknown): boolean {
  if (isDeepStrictEqual(expected, actual)) return true;
  // AppSync compares IDs as strings: `id: 1` matches `"1"`
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  return scalar(expected) && scalar(actual) && String(expected) === String(actual);
}

/**
 * AppSync's argument rule: each argument the subscriber set (non-null) must equal the same-named
 * field of the mutation's result; an argument the result lacks never matches.
 */
export function matchesArguments(args: Record<string, unknown>, payload: unknown): boolean {
  for (const [name, expected] of Object.entries(args)) {
    if (expected === null || expected === undefined) continue;
    if (!payload || typeof payload !== 'object' || !(name in payload)) return false;
    if (!sameValue(expected, Reflect.get(payload, name))) return false;
  }
  return true;
}

export class SubscriptionRegistry {
  private readonly byField = new Map<string, Map<string, ActiveSubscription>>();

  constructor(
    private readonly app: AppSyncSchema,
    private readonly filters: Record<string, SubscriptionFilter>,
  ) {}

  private key(connectionId: string, id: string): string {
    return `${connectionId}\u0000${id}`;
  }

  add(sub: ActiveSubscription): void {
    const subs = this.byField.get(sub.fieldName) ?? new Map<string, ActiveSubscription>();
    subs.set(this.key(sub.connectionId, sub.id), sub);
    this.byField.set(sub.fieldName, subs);
  }

  has(connectionId: string, id: string): boolean {
    const key = this.key(connectionId, id);
    return [...this.byField.values()].some((subs) => subs.has(key));
  }

  remove(connectionId: string, id: string): boolean {
    const key = this.key(connectionId, id);
    let removed = false;
    for (const subs of this.byField.values()) removed = subs.delete(key) || removed;
    return removed;
  }

  removeConnection(connectionId: string): void {
    for (const subs of this.byField.values()) {
      for (const [key, sub] of subs) if (sub.connectionId === connectionId) subs.delete(key);
    }
  }

  countFor(connectionId: string): number {
    let count = 0;
    for (const subs of this.byField.values())
      for (const sub of subs.values()) if (sub.connectionId === connectionId) count++;
    return count;
  }

  private allowedByFilter(fieldName: string, payload: unknown, sub: ActiveSubscription): boolean {
    const filter = this.filters[`Subscription.${fieldName}`];
    if (!filter) return true;
    try {
      return filter(payload, sub.principal.identity) === true;
    } catch {
      // A filter that cannot decide must not leak data
      return false;
    }
  }

  /** Delivers one mutation result to every matching subscriber; returns how many received it. */
  async publish(published: Published): Promise<number> {
    let delivered = 0;
    for (const fieldName of this.app.subscriptionsFor(published.mutationField)) {
      for (const sub of [...(this.byField.get(fieldName)?.values() ?? [])]) {
        if (!matchesArguments(sub.args, published.payload)) continue;
        if (!this.allowedByFilter(fieldName, published.payload, sub)) continue;
        const ctx: RequestContext = { principal: sub.principal, headers: sub.headers, payloadOnly: true };
        // The subscriber's own selection set shapes what it receives from the mutation's result
        const result = await execute({
          schema: this.app.schema,
          document: sub.document,
          variableValues: sub.variables,
          operationName: sub.operationName,
          rootValue: { [fieldName]: published.payload },
          contextValue: ctx,
        });
        const payload = result.errors?.length
          ? { data: result.data ?? null, errors: result.errors.map(executionError) }
          : { data: result.data ?? null };
        sub.send({ id: sub.id, type: 'data', payload });
        delivered++;
      }
    }
    return delivered;
  }
}
