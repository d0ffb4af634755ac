import { describe, expect, it } from 'vitest';
import { MemoryAnomalyRepository } from '../../../functions/src/adapters/memory/memory-anomaly-repository.js';
import { makeHandler } from '../../../functions/src/handlers/reconcile.js';
import { makeReconcile } from '../../../functions/src/use-cases/reconcile.js';
import { harness, T0, TARIFF, value } from '../use-cases/harness.js';

async function world() {
  const h = harness();
  await h.addStation('TKY-001');
  await h.driverWithCard('drv-1');
  const anomalies = new MemoryAnomalyRepository();
  const handler = makeHandler({ reconcile: makeReconcile({ ...h.deps, anomalies }), logger: h.logger });
  const lines = () => h.logger.records.filter((r) => r.msg.startsWith('reconcile finished'));
  return { h, anomalies, handler, lines };
}

describe('reconcile handler (scheduled)', () => {
  it('logs the counts of a clean run at info', async () => {
    const { h, handler, lines } = await world();
    const { session } = value(await h.uc.startCharge({ driverId: 'drv-1', stationId: 'TKY-001', startKey: 'k1' }));
    value(await h.ackClose(session.id, 1_000));
    value(await h.uc.stopCharge({ driverId: 'drv-1', sessionId: session.id }));
    value(await h.ackOpen(session.id, 3_000));
    // Charged, the processor's confirmation on its way: settling, not an anomaly.
    expect((await h.sessions.get(session.id))?.state).toBe('PAYMENT_PENDING');
    const summary = await handler();
    expect(summary).toEqual({ checkedSessions: 1, checkedPaymentIntents: 1, found: 0, new: 0, newByKind: {} });
    expect(lines()).toEqual([{ level: 'info', msg: 'reconcile finished', fields: summary }]);
  });

  it('warns with the kinds first found, records and alerts them once; a re-run finds them but not as new', async () => {
    const { h, anomalies, handler, lines } = await world();
    await h.sessions.create(
      {
        id: 'ses-nopi',
        driverId: 'drv-1',
        stationId: 'TKY-001',
        startKey: 'x',
        state: 'PAID',
        version: 1,
        tariff: TARIFF,
        createdAt: T0,
        updatedAt: T0,
        paymentIntentId: 'pi_missing',
      },
      { sessionId: 'ses-nopi', seq: 1, at: T0, from: null, to: 'PAID', cause: 'Injected', evidence: {} },
    );
    const first = await handler();
    expect(first).toMatchObject({ found: 1, new: 1, newByKind: { PAID_WITHOUT_SUCCEEDED_PI: 1 } });
    expect(lines()[0]).toMatchObject({ level: 'warn', msg: 'reconcile finished with new anomalies' });
    expect(await anomalies.list({ open: true, limit: 10 })).toMatchObject([
      { kind: 'PAID_WITHOUT_SUCCEEDED_PI', subject: 'ses-nopi' },
    ]);
    expect(h.alerts.raised.map((a) => a.code)).toEqual(['ANOMALY_PAID_WITHOUT_SUCCEEDED_PI']);
    const second = await handler();
    expect(second).toMatchObject({ found: 1, new: 0, newByKind: {} });
    expect(lines()[1]).toMatchObject({ level: 'info' });
    expect(h.alerts.raised).toHaveLength(1);
  });
});
