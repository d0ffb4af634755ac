import { describe, expect, it } from 'vitest';
import { harness, value } from './harness.js';

describe('sweepStale: a start given up', () => {
  it('sends the station an open command before freeing it (the close may have worked, its ack lost)', async () => {
    const h = harness({ ackTimeoutMs: 10_000 });
    await h.addStation('st_1');
    await h.driverWithCard('drv_1');
    const { session } = value(await h.uc.startCharge({ driverId: 'drv_1', stationId: 'st_1', startKey: 'k' }));
    h.clock.advance(11_000);
    expect(value(await h.uc.sweepStale()).failedToStart).toEqual([session.id]);
    const opens = h.breaker.commandsFor(session.id).filter((c) => c.action === 'open');
    expect(opens).toHaveLength(1);
    expect(opens[0]?.cmdId).not.toBe(session.startCmdId);
    expect((await h.stations.get('st_1'))?.activeSessionId).toBeUndefined();
    // The station's answer changes nothing: the session stays FAILED_TO_START, nothing is billed.
    value(await h.ackOpen(session.id, 500));
    expect(await h.sessions.get(session.id)).toMatchObject({ state: 'FAILED_TO_START' });
    expect(h.payments.chargeCalls).toHaveLength(0);
  });
});
