import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/src/handlers/stop-charge.js';
import { harness, value } from '../use-cases/harness.js';
import { driverIdentity, refusal, resolverEvent } from './resolver-fixtures.js';

async function charging() {
  const h = harness();
  await h.addStation('TKY-001');
  await h.driverWithCard('drv-1');
  const { session } = value(await h.uc.startCharge({ driverId: 'drv-1', stationId: 'TKY-001', startKey: 'tap-1' }));
  value(await h.ackClose(session.id, 10_000));
  const handler = makeHandler({ stopCharge: h.uc.stopCharge, logger: h.logger });
  const stop = (args: Record<string, unknown>, sub: string | null = 'drv-1') =>
    handler(resolverEvent('Mutation.stopCharge', args, sub ? driverIdentity(sub) : null));
  return { h, stop, sessionId: session.id };
}

describe('Mutation.stopCharge', () => {
  it("stops the owner's session: STOPPING, an open command to the station", async () => {
    const { h, stop, sessionId } = await charging();
    const out = await stop({ sessionId });
    expect(out).toMatchObject({ id: sessionId, state: 'STOPPING', stopReason: 'remote', receipt: null });
    expect(h.breaker.commandsFor(sessionId).map((c) => c.action)).toEqual(['close', 'open']);
  });

  it('returns the state already reached when stopped twice, sending one open command', async () => {
    const { h, stop, sessionId } = await charging();
    await stop({ sessionId });
    const again = await stop({ sessionId });
    expect(again).toMatchObject({ state: 'STOPPING' });
    expect(h.breaker.commandsFor(sessionId).filter((c) => c.action === 'open')).toHaveLength(1);
  });

  it("refuses another driver's stop as SESSION.NOT_YOURS and the breaker stays closed", async () => {
    const { h, stop, sessionId } = await charging();
    const e = await refusal(stop({ sessionId }, 'drv-2'));
    expect(e).toMatchObject({ errorType: 'SESSION.NOT_YOURS', errorInfo: { sessionId } });
    expect((await h.sessions.get(sessionId))?.state).toBe('CHARGING');
    expect(h.breaker.commandsFor(sessionId).map((c) => c.action)).toEqual(['close']);
  });

  it('refuses an unknown session as SESSION.NOT_FOUND', async () => {
    const { stop } = await charging();
    expect((await refusal(stop({ sessionId: 'ses-nope' }))).errorType).toBe('SESSION.NOT_FOUND');
  });

  it('refuses a missing identity as UNAUTHORIZED and malformed ids as VALIDATION', async () => {
    const { h, stop, sessionId } = await charging();
    expect((await refusal(stop({ sessionId }, null))).errorType).toBe('UNAUTHORIZED');
    const bad = await refusal(stop({ sessionId: 'ses#1/../x' }));
    expect(bad).toMatchObject({ errorType: 'VALIDATION', errorInfo: { fields: ['sessionId'] } });
    expect(await refusal(stop({}))).toMatchObject({ errorInfo: { fields: ['sessionId'] } });
    expect((await h.sessions.get(sessionId))?.state).toBe('CHARGING');
  });

  it('hides a failing store as INTERNAL', async () => {
    const { h, stop, sessionId } = await charging();
    h.sessions.commit = async () => {
      throw new Error('socket hang up ddb.internal:8000');
    };
    const e = await refusal(stop({ sessionId }));
    expect(e.errorType).toBe('INTERNAL');
    expect(e.message).not.toContain('ddb.internal');
    expect(h.logger.at('error').map((r) => r.fields?.field)).toEqual(['Mutation.stopCharge']);
  });
});
