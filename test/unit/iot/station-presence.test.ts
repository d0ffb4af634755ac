import { describe, expect, it } from 'vitest';
import type { Station } from '../../../functions/src/domain/station.js';
import { stationStatus } from '../../../functions/src/domain/station.js';
import { makeStationPresence } from '../../../functions/src/use-cases/station-presence.js';
import { ManualClock, StationRegistry, station, T0 } from './station-fakes.js';

const iso = (ms: number) => new Date(ms).toISOString();

function setup(initial: Partial<Station> = {}) {
  const stations = new StationRegistry([station('TKY-001', initial)]);
  const published: Station[] = [];
  const presence = makeStationPresence({
    stations,
    live: { stationChanged: async (s) => void published.push(s) },
    clock: new ManualClock(T0 + 10_000),
  });
  return { stations, published, presence };
}

describe('station presence', () => {
  it('marks a station online when it announces itself, and publishes that once', async () => {
    const { presence, stations, published } = setup();
    expect(await presence.apply('TKY-001', { kind: 'conn', online: true, receivedAt: iso(T0) })).toBe('changed');
    expect(await presence.apply('TKY-001', { kind: 'conn', online: true, receivedAt: iso(T0 + 1) })).toBe('unchanged');
    expect(stations.rows.get('TKY-001')).toMatchObject({ online: true, lastSeenAt: iso(T0 + 1) });
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ id: 'TKY-001', online: true, updatedAt: iso(T0 + 10_000) });
  });

  it('marks a station offline on its Last Will', async () => {
    const { presence, stations, published } = setup({ online: true, breaker: 'closed' });
    expect(await presence.apply('TKY-001', { kind: 'conn', online: false, receivedAt: iso(T0) })).toBe('changed');
    expect(stations.rows.get('TKY-001')).toMatchObject({ online: false, breaker: 'closed' });
    expect(stationStatus(published[0] ?? station('x'))).toBe('OFFLINE');
  });

  it('records the breaker from state reports, and an opened breaker draws no power', async () => {
    const { presence, stations, published } = setup({ online: true, powerW: 2900 });
    await presence.apply('TKY-001', { kind: 'state', breaker: 'closed', sessionId: 's1', receivedAt: iso(T0) });
    expect(stations.rows.get('TKY-001')).toMatchObject({ breaker: 'closed' });
    await presence.apply('TKY-001', { kind: 'state', breaker: 'open', sessionId: null, receivedAt: iso(T0 + 1) });
    expect(stations.rows.get('TKY-001')).toMatchObject({ breaker: 'open', powerW: 0 });
    expect(published.map((s) => s.breaker)).toEqual(['closed', 'open']);
  });

  it('writes once per signal and reads nothing on the way (the write hands back the row as it was)', async () => {
    const { presence, stations, published } = setup({ online: true });
    await presence.apply('TKY-001', { kind: 'state', breaker: 'closed', sessionId: 's1', receivedAt: iso(T0) });
    await presence.apply('TKY-001', { kind: 'state', breaker: 'open', sessionId: null, receivedAt: iso(T0 + 1) });
    expect(stations.reads).toBe(0);
    expect(stations.presenceWrites).toHaveLength(2);
    // No power was ever reported: an opened breaker's 0 W is no visible change of its own.
    expect(published.map((s) => [s.breaker, s.powerW])).toEqual([
      ['closed', undefined],
      ['open', 0],
    ]);
  });

  it('ignores a message received before the last one applied (QoS 1 redelivery, reordering)', async () => {
    const { presence, stations } = setup();
    await presence.apply('TKY-001', { kind: 'conn', online: false, receivedAt: iso(T0 + 5) });
    expect(await presence.apply('TKY-001', { kind: 'conn', online: true, receivedAt: iso(T0 + 1) })).toBe('stale');
    expect(stations.rows.get('TKY-001')?.online).toBe(false);
  });

  it('a state report brings a station back online', async () => {
    const { presence, stations } = setup({ online: false });
    await presence.apply('TKY-001', { kind: 'state', breaker: 'open', sessionId: null, receivedAt: iso(T0) });
    expect(stations.rows.get('TKY-001')?.online).toBe(true);
  });

  it('leaves unknown stations alone', async () => {
    const { presence, stations, published } = setup();
    expect(await presence.apply('NOPE', { kind: 'conn', online: true, receivedAt: iso(T0) })).toBe('unknownStation');
    expect(stations.presenceWrites).toEqual([]);
    expect(published).toEqual([]);
  });
});
