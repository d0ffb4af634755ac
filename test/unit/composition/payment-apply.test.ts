import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../functions/src/adapters/memory/memory-logger.js';
import { makeApplyPaymentEvent } from '../../../functions/src/composition/payment-apply.js';
import { DomainError } from '../../../functions/src/domain/errors.js';
import { err } from '../../../functions/src/domain/result.js';
import { harness, value } from '../use-cases/harness.js';

describe('applyPaymentEvent (composition)', () => {
  it('applies a verified payment: the session is PAID and the outcome is logged', async () => {
    const h = harness();
    await h.addStation('TKY-001');
    await h.driverWithCard('drv-1');
    h.payments.scriptCharges('processing');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv-1', stationId: 'TKY-001', startKey: 'k' }));
    value(await h.ackClose(session.id, 10_000));
    value(await h.uc.stopCharge({ driverId: 'drv-1', sessionId: session.id }));
    const pending = value(await h.ackOpen(session.id, 12_000)).session;
    expect(pending?.state).toBe('PAYMENT_PENDING');
    const apply = makeApplyPaymentEvent(h.uc, h.logger);
    const event = {
      type: 'payment.succeeded' as const,
      eventId: 'evt_1',
      paymentIntentId: pending?.paymentIntentId ?? '',
      amountYen: 111,
      sessionId: session.id,
    };
    await apply(event);
    expect((await h.sessions.get(session.id))?.state).toBe('PAID');
    // A redelivery (the webhook's own dedupe missed it, e.g. a crash before marking) moves nothing.
    await apply(event);
    expect(h.logger.records.filter((r) => r.msg === 'payment event').map((r) => r.fields)).toEqual([
      { eventId: 'evt_1', type: 'payment.succeeded', outcome: 'applied' },
      { eventId: 'evt_1', type: 'payment.succeeded', outcome: 'noop' },
    ]);
  });

  it('logs an expected refusal as a warning and resolves, so the webhook answers 200', async () => {
    const logger = new MemoryLogger();
    const apply = makeApplyPaymentEvent(
      {
        paymentEventDedupedByCaller: async () =>
          err(new DomainError('SESSION.ILLEGAL_TRANSITION', 'already cancelled')),
      },
      logger,
    );
    await expect(
      apply({ type: 'payment.action_required', eventId: 'evt_2', paymentIntentId: 'pi_2' }),
    ).resolves.toBeUndefined();
    expect(logger.records).toEqual([
      {
        level: 'warn',
        msg: 'payment event refused',
        fields: { eventId: 'evt_2', type: 'payment.action_required', code: 'SESSION.ILLEGAL_TRANSITION' },
      },
    ]);
  });

  it('lets an unexpected failure propagate so the webhook answers 500 and Stripe redelivers', async () => {
    const apply = makeApplyPaymentEvent(
      {
        paymentEventDedupedByCaller: async () => {
          throw new Error('store down');
        },
      },
      new MemoryLogger(),
    );
    await expect(apply({ type: 'ignored', eventId: 'evt_3', providerType: 'customer.created' })).rejects.toThrow(
      'store down',
    );
  });
});
