import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../functions/src/adapters/memory/memory-logger.js';
import { ok } from '../../../functions/src/domain/result.js';
import { makeHandler } from '../../../functions/src/handlers/sweeper.js';
import type { SweepReport } from '../../../functions/src/use-cases/sweep-stale.js';
import { harness, value } from '../use-cases/harness.js';

const EMPTY: SweepReport = {
  failedToStart: [],
  cancelled: [],
  resentClose: [],
  resentOpen: [],
  redrivenCharges: [],
  reconciled: [],
  escalated: [],
  releasedStations: [],
  errors: [],
};

describe('sweeper', () => {
  it('moves an unacked start to FAILED_TO_START and logs the counts of what it did', async () => {
    const h = harness();
    await h.addStation('TKY-001');
    await h.driverWithCard('drv-1');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv-1', stationId: 'TKY-001', startKey: 'k1' }));
    h.clock.advance(h.deps.config.ackTimeoutMs + 1);
    const report = await makeHandler({ sweepStale: h.uc.sweepStale, logger: h.logger })();
    expect(report.failedToStart).toEqual([session.id]);
    expect((await h.sessions.get(session.id))?.state).toBe('FAILED_TO_START');
    expect(h.logger.records.filter((r) => r.msg.startsWith('sweep'))).toEqual([
      {
        level: 'info',
        msg: 'sweep finished',
        fields: {
          failedToStart: 1,
          cancelled: 0,
          resentClose: 0,
          resentOpen: 0,
          redrivenCharges: 0,
          reconciled: 0,
          escalated: 0,
          releasedStations: 0,
          errors: 0,
        },
      },
    ]);
  });

  it('re-sends a stuck stop on each run past its delay and counts the one escalation in the log line', async () => {
    const h = harness({ stopResendAfterMs: 30_000, redriveEscalateAfter: 2 });
    await h.addStation('TKY-001');
    await h.driverWithCard('drv-1');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv-1', stationId: 'TKY-001', startKey: 'k1' }));
    value(await h.ackClose(session.id, 1_000));
    value(await h.uc.stopCharge({ driverId: 'drv-1', sessionId: session.id }));
    const handler = makeHandler({ sweepStale: h.uc.sweepStale, logger: h.logger });
    const runs = [];
    for (let i = 0; i < 3; i++) {
      h.clock.advance(30_000);
      runs.push(await handler());
    }
    expect(runs.map((r) => [r.resentOpen.length, r.escalated.length])).toEqual([
      [1, 0],
      [1, 1],
      [0, 0], // escalated: the next try waits 10 × 30 s
    ]);
    expect(h.alerts.withCode('STUCK_STOPPING').map((a) => a.sessionId)).toEqual([session.id]);
    const lines = h.logger.records.filter((r) => r.msg === 'sweep finished');
    expect(lines.map((r) => r.fields?.escalated)).toEqual([0, 1, 0]);
  });

  it('warns with the errors when some items failed, and still returns the report', async () => {
    const logger = new MemoryLogger();
    const errors = [{ sessionId: 'ses-1', error: 'Error: breaker link down' }];
    const handler = makeHandler({ sweepStale: async () => ok({ ...EMPTY, resentOpen: ['ses-2'], errors }), logger });
    expect(await handler()).toMatchObject({ resentOpen: ['ses-2'], errors });
    expect(logger.records).toEqual([
      {
        level: 'warn',
        msg: 'sweep finished with errors',
        fields: { ...Object.fromEntries(Object.keys(EMPTY).map((k) => [k, 0])), resentOpen: 1, errors },
      },
    ]);
  });

  it('lets an unexpected failure propagate so the schedule reports the invocation as failed', async () => {
    const handler = makeHandler({
      sweepStale: async () => {
        throw new Error('store down');
      },
      logger: new MemoryLogger(),
    });
    await expect(handler()).rejects.toThrow('store down');
  });
});
