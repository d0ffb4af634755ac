import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/src/handlers/start-charge.js';
import { harness } from '../use-cases/harness.js';
import { driverIdentity, IAM_IDENTITY, refusal, resolverEvent } from './resolver-fixtures.js';

function setup() {
  const h = harness();
  const handler = makeHandler({ startCharge: h.uc.startCharge, logger: h.logger });
  const start = (args: Record<string, unknown>, sub: string | null = 'drv-1') =>
    handler(
      resolverEvent('Mutation.startCharge', args, sub ? driverIdentity(sub, { email: `${sub}@example.jp` }) : null),
    );
  return { h, handler, start };
}

describe('Mutation.startCharge', () => {
  it('energizes at once with a card on file: the session view, no checkout URL, a close command sent', async () => {
    const { h, start } = setup();
    await h.addStation('TKY-001');
    await h.driverWithCard('drv-1');
    const out = await start({ stationId: 'TKY-001', idempotencyKey: 'tap-00000001' });
    expect(out).toMatchObject({
      session: { driverId: 'drv-1', stationId: 'TKY-001', state: 'ENERGIZING', checkoutUrl: null, receipt: null },
      checkoutUrl: null,
    });
    expect(h.breaker.sent.map((s) => [s.stationId, s.command.action])).toEqual([['TKY-001', 'close']]);
  });

  it('returns the hosted Checkout URL when no card is saved yet', async () => {
    const { h, start } = setup();
    await h.addStation('TKY-001');
    const out = await start({ stationId: 'TKY-001', idempotencyKey: 'tap-00000001' });
    const [checkout] = h.payments.checkouts.values();
    expect(checkout?.mode).toBe('setup');
    expect(out).toMatchObject({
      session: { state: 'AWAITING_PAYMENT_METHOD', checkoutUrl: checkout?.url },
      checkoutUrl: checkout?.url,
    });
    expect(h.breaker.sent).toEqual([]);
  });

  it('returns the same session for the same idempotency key', async () => {
    const { h, start } = setup();
    await h.addStation('TKY-001');
    await h.driverWithCard('drv-1');
    const a = await start({ stationId: 'TKY-001', idempotencyKey: 'tap-00000001' });
    const b = await start({ stationId: 'TKY-001', idempotencyKey: 'tap-00000001' });
    expect(b).toEqual(a);
    expect(h.breaker.sent).toHaveLength(1);
  });

  it('refuses a call without a user-pool identity as UNAUTHORIZED and starts nothing', async () => {
    const { h, handler, start } = setup();
    await h.addStation('TKY-001');
    const e = await refusal(start({ stationId: 'TKY-001', idempotencyKey: 'tap-00000001' }, null));
    expect(e.errorType).toBe('UNAUTHORIZED');
    const iam = await refusal(
      handler(
        resolverEvent('Mutation.startCharge', { stationId: 'TKY-001', idempotencyKey: 'k-000001' }, IAM_IDENTITY),
      ),
    );
    expect(iam.errorType).toBe('UNAUTHORIZED');
    expect((await h.stations.get('TKY-001'))?.activeSessionId).toBeUndefined();
  });

  it('refuses malformed arguments as VALIDATION naming each bad field', async () => {
    const { h, start } = setup();
    await h.addStation('TKY-001');
    const e = await refusal(start({ stationId: 'TKY/001', idempotencyKey: 'short' }));
    expect(e.errorType).toBe('VALIDATION');
    expect(e.errorInfo).toEqual({ fields: ['stationId', 'idempotencyKey'] });
    const missing = await refusal(start({ idempotencyKey: 42 }));
    expect(missing.errorInfo).toEqual({ fields: ['stationId', 'idempotencyKey'] });
    const tooLong = await refusal(start({ stationId: 'x'.repeat(129), idempotencyKey: 'tap-00000001' }));
    expect(tooLong.errorInfo).toEqual({ fields: ['stationId'] });
    expect(h.breaker.sent).toEqual([]);
    expect(await h.sessions.listByDriver('drv-1', 10)).toEqual({ items: [] });
  });

  it('passes domain refusals through with the code as errorType and the details as errorInfo', async () => {
    const { h, start } = setup();
    const missing = await refusal(start({ stationId: 'NOPE-1', idempotencyKey: 'tap-00000001' }));
    expect(missing.errorType).toBe('STATION.NOT_FOUND');
    await h.addStation('TKY-002', { online: false });
    const offline = await refusal(start({ stationId: 'TKY-002', idempotencyKey: 'tap-00000002' }));
    expect(offline).toMatchObject({ errorType: 'STATION.OFFLINE', errorInfo: { stationId: 'TKY-002' } });
    await h.addStation('TKY-003');
    await h.driverWithCard('drv-1');
    await h.driverWithCard('drv-2');
    await start({ stationId: 'TKY-003', idempotencyKey: 'tap-00000003' }, 'drv-1');
    const busy = await refusal(start({ stationId: 'TKY-003', idempotencyKey: 'tap-00000004' }, 'drv-2'));
    expect(busy).toMatchObject({ errorType: 'STATION.BUSY', errorInfo: { stationId: 'TKY-003' } });
    expect(
      h.logger.at('info').some((r) => r.msg === 'resolver refused' && r.fields?.errorType === 'STATION.BUSY'),
    ).toBe(true);
  });

  it('tells a blocked driver PAYMENT.REQUIRED with the blocking session', async () => {
    const { h, start } = setup();
    await h.addStation('TKY-001');
    await h.driverWithCard('drv-1');
    const d = await h.drivers.get('drv-1');
    if (!d) throw new Error('no driver');
    h.drivers.put({ ...d, blocked: true, blockedBySessionId: 'ses-unpaid' });
    const e = await refusal(start({ stationId: 'TKY-001', idempotencyKey: 'tap-00000001' }));
    expect(e).toMatchObject({ errorType: 'PAYMENT.REQUIRED', errorInfo: { sessionId: 'ses-unpaid' } });
  });

  it('hides an unexpected failure as INTERNAL, logs it, and leaks nothing of it to the caller', async () => {
    const { h, start } = setup();
    h.stations.get = async () => {
      throw new Error('ProvisionedThroughputExceeded on table ev-stations (arn:aws:dynamodb:secret)');
    };
    const e = await refusal(start({ stationId: 'TKY-001', idempotencyKey: 'tap-00000001' }));
    expect(e.errorType).toBe('INTERNAL');
    expect(e.errorInfo).toBeUndefined();
    expect(e.message).not.toMatch(/Provisioned|ev-stations|arn:/);
    expect(h.logger.at('error')).toEqual([
      {
        level: 'error',
        msg: 'resolver failed',
        fields: {
          field: 'Mutation.startCharge',
          err: 'ProvisionedThroughputExceeded on table ev-stations (arn:aws:dynamodb:secret)',
        },
      },
    ]);
  });

  it('answers a field it does not serve with INTERNAL', async () => {
    const { handler } = setup();
    const e = await refusal(handler(resolverEvent('Mutation.stopCharge', { sessionId: 's' }, driverIdentity('d'))));
    expect(e).toMatchObject({ errorType: 'INTERNAL', message: 'No resolver for Mutation.stopCharge.' });
  });
});
