/**
 * The /v1 API: Bearer sk_test_ auth, params (query for GET, form body for POST), Idempotency-Key
 * replay, injected faults, routing to the resource files, Stripe-shaped errors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { chargeRoutes } from './charges.js';
import { checkoutSessionRoutes } from './checkout-sessions.js';
import type { Reply, Route } from './context.js';
import { customerRoutes } from './customers.js';
import { ApiError, type StripeErrorBody } from './errors.js';
import { eventRoutes } from './events.js';
import type { Faults } from './faults.js';
import { type FormObject, parseForm } from './form.js';
import { newId, sha256Hex } from './ids.js';
import { paymentIntentRoutes } from './payment-intents.js';
import { paymentMethodRoutes } from './payment-methods.js';
import { refundRoutes } from './refunds.js';
import type { Runtime } from './runtime.js';
import { setupIntentRoutes } from './setup-intents.js';

const ROUTES: Route[] = [
  ...customerRoutes,
  ...paymentMethodRoutes,
  ...setupIntentRoutes,
  ...paymentIntentRoutes,
  ...chargeRoutes,
  ...refundRoutes,
  ...checkoutSessionRoutes,
  ...eventRoutes,
];

interface Sent {
  status: number;
  body: string;
  headers: Record<string, string>;
}

const errorJson = (body: StripeErrorBody): string => JSON.stringify({ error: body }, null, 2);

function apiKeyOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(auth);
  if (basic?.[1]) return Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0];
  return undefined;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ApiRouter {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly rt: Runtime,
    private readonly faults: Faults,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, body: string): Promise<void> {
    const requestId = `req_${newId('x').slice(2, 16)}`;
    const method = (req.method ?? 'GET').toUpperCase();
    const idemKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
    const apiVersion = typeof req.headers['stripe-version'] === 'string' ? req.headers['stripe-version'] : undefined;
    const base: Record<string, string> = {
      'content-type': 'application/json',
      'request-id': requestId,
      ...(apiVersion ? { 'stripe-version': apiVersion } : {}),
      ...(idemKey ? { 'idempotency-key': idemKey } : {}),
    };
    const write = (s: Sent): void => {
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(s.status, { ...base, ...s.headers });
      res.end(s.body);
    };

    const key = apiKeyOf(req);
    if (!key) {
      return write({
        status: 401,
        headers: {},
        body: errorJson({
          type: 'invalid_request_error',
          message:
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
        }),
      });
    }
    if (!/^sk_test_[A-Za-z0-9_]+$/.test(key)) {
      return write({
        status: 401,
        headers: {},
        body: errorJson({
          type: 'invalid_request_error',
          message: `Invalid API Key provided: ${key.slice(0, 8)}****${key.slice(-4)}`,
        }),
      });
    }

    const params: FormObject =
      method === 'POST' ? { ...parseForm(url.search.slice(1)), ...parseForm(body) } : parseForm(url.search.slice(1));
    let ids: string[] = [];
    const route = ROUTES.find((r) => {
      if (r.method !== method) return false;
      const m = r.pattern.exec(url.pathname);
      if (m) ids = m.slice(1).map((s) => decodeURIComponent(s));
      return m !== null;
    });
    if (!route) {
      return write({
        status: 404,
        headers: {},
        body: errorJson({
          type: 'invalid_request_error',
          message: `Unrecognized request URL (${method}: ${url.pathname}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
        }),
      });
    }

    const fault = this.faults.take(method, url.pathname);
    if (fault?.mode === 'error-before') return write(this.internalError());
    if (fault?.mode === 'drop-before') {
      req.socket.destroy();
      return;
    }

    const slot = idemKey && method === 'POST' ? `${sha256Hex(key)}:${idemKey}` : null;
    const fingerprint = canonical({ method, path: url.pathname, params });
    if (slot) {
      const saved = this.rt.store.get('idempotency', slot);
      if (saved) {
        if (saved.params !== fingerprint) {
          return write({
            status: 400,
            headers: {},
            body: errorJson({
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
            }),
          });
        }
        return write({ status: saved.status, body: saved.body, headers: { 'idempotent-replayed': 'true' } });
      }
      if (this.inFlight.has(slot)) {
        return write({
          status: 409,
          headers: {},
          body: errorJson({
            type: 'invalid_request_error',
            code: 'idempotency_key_in_use',
            message:
              'There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ' +
              `${idemKey}. Please try again later.`,
          }),
        });
      }
      this.inFlight.add(slot);
    }

    try {
      if (fault?.mode === 'timeout-before') await sleep(fault.stallMs ?? 1_500);
      const sent = this.execute(route, params, ids, {
        requestId,
        idemKey,
        apiVersion,
        slot,
        fingerprint,
        method,
        path: url.pathname,
      });
      if (fault?.mode === 'error-after') return write(this.internalError());
      if (fault?.mode === 'drop-after') {
        req.socket.destroy();
        return;
      }
      if (fault?.mode === 'timeout-after') await sleep(fault.stallMs ?? 1_500);
      write(sent);
    } finally {
      if (slot) this.inFlight.delete(slot);
    }
  }

  private internalError(): Sent {
    return {
      status: 500,
      headers: {},
      body: errorJson({ type: 'api_error', message: 'An unknown error occurred (injected by the emulator).' }),
    };
  }

  private execute(
    route: Route,
    params: FormObject,
    ids: string[],
    o: {
      requestId: string;
      idemKey: string | null;
      apiVersion: string | undefined;
      slot: string | null;
      fingerprint: string;
      method: string;
      path: string;
    },
  ): Sent {
    try {
      return this.rt.run({ id: o.requestId, idempotency_key: o.idemKey, apiVersion: o.apiVersion }, (ctx) => {
        const reply: Reply = route.handle(ctx, params, ids);
        const body = JSON.stringify(reply.body, null, 2);
        // Only calls that began executing are saved (Stripe does not save parameter errors).
        if (o.slot) {
          ctx.tx.put('idempotency', {
            id: o.slot,
            method: o.method,
            path: o.path,
            params: o.fingerprint,
            status: reply.status,
            body,
            created: ctx.now,
          });
        }
        return { status: reply.status, body, headers: {} };
      });
    } catch (e) {
      if (e instanceof ApiError) return { status: e.status, body: errorJson(e.body), headers: {} };
      throw e;
    }
  }
}
