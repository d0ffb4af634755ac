import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../functions/src/adapters/memory/memory-logger.js';
import { ok } from '../../../functions/src/domain/result.js';
import { makeHandler } from '../../../functions/src/handlers/sweeper.js';
import type { SweepReport } from '../../../functions/src/use-cases/sweep-stale.js';
import { harness, value } from '../use-cases/harness.js';

const EMPTY: SweepReport = {
  failedToStart: [],
  cancelled: [],
  resentOpen: [],
  redrivenCharges: [],
  reconciled: [],
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
          resentOpen: 0,
          redrivenCharges: 0,
          reconciled: 0,
          releasedStations: 0,
          errors: 0,
        },
      },
    ]);
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
