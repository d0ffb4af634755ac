/**
 * The webhook resolver (Lambda function URL): verify Stripe's signature on the raw body, drop
 * duplicates by event id, apply the mapped domain event, then mark it processed. Any failure to
 * apply answers 500 so Stripe retries; a bad signature answers 400 and changes nothing.
 */
import type { LambdaFunctionURLResult } from 'aws-lambda';
import { z } from 'zod';
import { lambdaHandler } from '../composition/lambda.js';
import type { Clock } from '../ports/clock.port.js';
import type { Logger } from '../ports/logger.port.js';
import type { PaymentEvent, PaymentEvents } from '../ports/payment-events.port.js';
import type { ProcessedEvents } from '../ports/processed-events.port.js';

const FunctionUrlEvent = z.object({
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional().default(false),
  headers: z.record(z.string(), z.string().optional()).optional().default({}),
});

export interface StripeWebhookDeps {
  events: PaymentEvents;
  processed: ProcessedEvents;
  apply(event: PaymentEvent): Promise<void>;
  logger: Logger;
  clock: Clock;
}

const json = (statusCode: number, body: Record<string, unknown>): LambdaFunctionURLResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const hit = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
  return hit?.[1];
}

export function makeHandler(deps: StripeWebhookDeps) {
  // Two deliveries of one event racing inside one instance: the second waits for Stripe's retry.
  const inFlight = new Set<string>();

  return async (raw: unknown): Promise<LambdaFunctionURLResult> => {
    const parsed = FunctionUrlEvent.safeParse(raw);
    if (!parsed.success) return json(400, { error: 'not a function URL event' });
    const { body = '', isBase64Encoded, headers } = parsed.data;
    const rawBody = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;

    const verified = deps.events.verify(rawBody, header(headers, 'stripe-signature'));
    if (!verified.ok) {
      deps.logger.warn('stripe webhook rejected', { reason: verified.error.reason, detail: verified.error.message });
      return json(400, { error: verified.error.reason });
    }
    const event = verified.event;
    const fields = { eventId: event.eventId, type: event.type };
    if (event.type === 'ignored') {
      deps.logger.debug('stripe webhook ignored', { ...fields, providerType: event.providerType });
      return json(200, { received: true, ignored: true });
    }
    if (inFlight.has(event.eventId)) return json(409, { error: 'event in flight' });
    inFlight.add(event.eventId);
    try {
      if (await deps.processed.has(event.eventId)) {
        deps.logger.info('stripe webhook duplicate', fields);
        return json(200, { received: true, duplicate: true });
      }
      try {
        await deps.apply(event);
      } catch (e) {
        deps.logger.error('stripe webhook apply failed', {
          ...fields,
          error: e instanceof Error ? e.message : String(e),
        });
        return json(500, { error: 'apply failed' });
      }
      await deps.processed.markOnce(event.eventId, deps.clock.now().toISOString());
      deps.logger.info('stripe webhook applied', fields);
      return json(200, { received: true });
    } finally {
      inFlight.delete(event.eventId);
    }
  };
}

export const handler = lambdaHandler(async (d) =>
  makeHandler({
    events: await d.paymentEvents(),
    processed: d.ports.processedEvents,
    apply: d.applyPaymentEvent,
    logger: d.logger,
    clock: d.ports.clock,
  }),
);
