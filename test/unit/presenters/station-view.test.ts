import { describe, expect, it } from 'vitest';
import type { Station } from '../../../functions/src/domain/station.js';
import { toStationView } from '../../../functions/src/presenters/station-view.js';

const base: Station = {
  id: 'TKY-001',
  name: 'Lot 1',
  site: 'Shibuya P1',
  model: 'breaker',
  ratedW: 3_000,
  voltageV: 200,
  tariff: { milliYenPerKwh: 55_500, sessionFeeYen: 0, milliYenPerMinute: 0 },
  online: true,
  breaker: 'open',
  updatedAt: '2026-03-01T09:00:00.000Z',
};

describe('toStationView', () => {
  it('shows an available station without a reason, power null when unknown', () => {
    expect(toStationView(base)).toMatchObject({ status: 'AVAILABLE', unavailableReason: null, powerW: null });
  });

  it('says why a station cannot be used: offline beats fault beats in use', () => {
    const all = { ...base, online: false, fault: 'tripped', activeSessionId: 'ses-1' };
    expect(toStationView(all)).toMatchObject({ status: 'OFFLINE', unavailableReason: 'station is offline' });
    expect(toStationView({ ...all, online: true })).toMatchObject({
      status: 'FAULT',
      unavailableReason: 'fault: tripped',
    });
    expect(toStationView({ ...base, activeSessionId: 'ses-1', breaker: 'closed', powerW: 2_990 })).toMatchObject({
      status: 'CHARGING',
      unavailableReason: 'in use',
      breaker: 'closed',
      powerW: 2_990,
    });
  });

  it('never shows which session holds a station, nor presence internals', () => {
    const view = toStationView({ ...base, activeSessionId: 'ses-secret', lastSeenAt: base.updatedAt });
    expect(Object.keys(view).sort()).toEqual(
      [
        'id',
        'name',
        'site',
        'model',
        'ratedW',
        'voltageV',
        'tariff',
        'status',
        'unavailableReason',
        'breaker',
        'powerW',
        'updatedAt',
      ].sort(),
    );
    expect(JSON.stringify(view)).not.toContain('ses-secret');
  });
});
