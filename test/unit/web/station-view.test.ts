import { describe, expect, it } from 'vitest';
import { groupBySite, mergeStation, stationView } from '../../../web/src/lib/station-view.js';

describe('stationView', () => {
  it('lets drivers start only at an available station, with no excuse shown', () => {
    expect(stationView({ status: 'AVAILABLE', unavailableReason: 'stale reason' })).toEqual({
      statusKey: 'station.status.AVAILABLE',
      tone: 'ok',
      canStart: true,
    });
  });

  it('says why a station cannot be used', () => {
    expect(stationView({ status: 'OFFLINE', unavailableReason: null })).toMatchObject({
      canStart: false,
      tone: 'down',
      reason: { key: 'station.reason.offline' },
    });
    expect(stationView({ status: 'CHARGING', unavailableReason: undefined })).toMatchObject({
      tone: 'busy',
      reason: { key: 'station.reason.busy' },
    });
    expect(stationView({ status: 'FAULT', unavailableReason: 'maintenance' })).toMatchObject({
      reason: { key: 'station.reason.maintenance' },
    });
  });

  it("translates the backend's reason phrases", () => {
    expect(stationView({ status: 'OFFLINE', unavailableReason: 'station is offline' }).reason).toEqual({
      key: 'station.reason.offline',
    });
    expect(stationView({ status: 'CHARGING', unavailableReason: 'in use' }).reason).toEqual({
      key: 'station.reason.busy',
    });
    expect(stationView({ status: 'FAULT', unavailableReason: 'fault: groundFault' }).reason).toEqual({
      key: 'station.reason.fault',
    });
  });

  it("shows the server's own words for a reason it has no translation for", () => {
    expect(stationView({ status: 'FAULT', unavailableReason: 'RCD tripped' }).reason).toEqual({ text: 'RCD tripped' });
  });
});

describe('groupBySite', () => {
  it('groups by site and orders names naturally', () => {
    const grouped = groupBySite([
      { site: 'B lot', name: 'B-10' },
      { site: 'A lot', name: 'A-2' },
      { site: 'B lot', name: 'B-9' },
      { site: 'A lot', name: 'A-10' },
    ]);
    expect(grouped.map(([site, list]) => [site, list.map((s) => s.name)])).toEqual([
      ['A lot', ['A-2', 'A-10']],
      ['B lot', ['B-9', 'B-10']],
    ]);
  });
});

describe('mergeStation', () => {
  it('replaces a station in place and appends an unknown one', () => {
    const list = [
      { id: 'a', v: 1 },
      { id: 'b', v: 1 },
    ];
    expect(mergeStation(list, { id: 'a', v: 2 })).toEqual([
      { id: 'a', v: 2 },
      { id: 'b', v: 1 },
    ]);
    expect(mergeStation(list, { id: 'c', v: 1 }).map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(list[0]).toEqual({ id: 'a', v: 1 });
  });
});
