/** Events: created inside the call's transaction (with one delivery per endpoint), retrieve and list. */
import type Stripe from 'stripe';
import { z } from 'zod';
import { type Ctx, ok, type Route } from './context.js';
import { notFound } from './errors.js';
import { expand } from './expand.js';
import { newId } from './ids.js';
import { paginate } from './list.js';
import { inRange, parseParams, zExpand, zList, zRange } from './params.js';
import type { EmulatorEvent, Tx } from './store.js';

export const API_VERSION_HEADER_DEFAULT = '2026-10-28.endive';

export function createEvent(
  tx: Tx,
  o: {
    type: Stripe.Event.Type;
    object: { id: string };
    now: number;
    apiVersion: string;
    request: { id: string | null; idempotency_key: string | null };
  },
): EmulatorEvent {
  const endpoints = tx.all('endpoint');
  const event: EmulatorEvent = {
    id: newId('evt'),
    object: 'event',
    api_version: o.apiVersion,
    created: o.now,
    data: { object: structuredClone(o.object) },
    livemode: false,
    pending_webhooks: endpoints.length,
    request: o.request,
    type: o.type,
  };
  tx.put('event', event);
  for (const ep of endpoints) {
    tx.put('delivery', {
      id: `${event.id}:${ep.id}`,
      eventId: event.id,
      endpointId: ep.id,
      status: 'pending',
      attempts: 0,
    });
  }
  return event;
}

const retrieveSchema = z.object({ expand: zExpand.optional() }).strict();
const listSchema = z
  .object({
    ...zList,
    type: z.string().optional(),
    types: z.array(z.string()).optional(),
    created: zRange.optional(),
    delivery_success: z.string().optional(),
  })
  .strict();

function retrieve(ctx: Ctx, raw: Parameters<Route['handle']>[1], ids: string[]) {
  const p = parseParams(retrieveSchema, raw);
  const id = ids[0] ?? '';
  const event = ctx.tx.get('event', id);
  if (!event) throw notFound('event', id);
  return ok(expand(ctx.tx, event, p.expand));
}

function list(ctx: Ctx, raw: Parameters<Route['handle']>[1]) {
  const p = parseParams(listSchema, raw);
  const typeMatches = (t: string, pattern: string): boolean =>
    pattern.endsWith('*') ? t.startsWith(pattern.slice(0, -1)) : t === pattern;
  const items = ctx.tx
    .all('event')
    .filter((e) => (p.type ? typeMatches(e.type, p.type) : true))
    .filter((e) => (p.types ? p.types.some((t) => typeMatches(e.type, t)) : true))
    .filter((e) => inRange(e.created, p.created));
  return ok(expand(ctx.tx, paginate(items, p, '/v1/events', 'event'), p.expand));
}

export const eventRoutes: Route[] = [
  { method: 'GET', pattern: /^\/v1\/events\/([^/]+)$/, handle: retrieve },
  { method: 'GET', pattern: /^\/v1\/events$/, handle: list },
];
