import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_STATION_OBSERVATIONS } from '../../../functions/src/domain/station.js';
import { backends, type Repositories } from './backends.js';
import { dynamoHarness } from './dynamo-harness.js';
import { aStation, at } from './fixtures.js';

const dynamo = dynamoHarness();

describe.each(backends(dynamo))('StationRepository.recordObservation on $name', ({ make }) => {
  let repos: Repositories;
  beforeEach(async () => {
    repos = await make();
    await repos.stations.put(aStation({ id: 'st_1' }));
  });

  it('keeps observations newest last, once each (a redelivered fault is the same observation)', async () => {
    const reset = { code: 'meterReset', at: at(1), sessionId: 'ses_1', detail: 'serial swap M-1 -> M-2' };
    const back = { code: 'registerBackwards', at: at(2), registerWh: 900, previousWh: 1_000 };
    await repos.stations.recordObservation('st_1', reset);
    await repos.stations.recordObservation('st_1', back);
    await repos.stations.recordObservation('st_1', reset);
    expect((await repos.stations.get('st_1'))?.observations).toEqual([reset, back]);
  });

  it(`keeps only the last ${MAX_STATION_OBSERVATIONS}, and loses none of concurrent ones`, async () => {
    await Promise.all(
      Array.from({ length: 4 }, (_, i) => repos.stations.recordObservation('st_1', { code: 'tripped', at: at(i) })),
    );
    expect((await repos.stations.get('st_1'))?.observations).toHaveLength(4);
    for (let i = 4; i < MAX_STATION_OBSERVATIONS + 5; i++) {
      await repos.stations.recordObservation('st_1', { code: 'tripped', at: at(i) });
    }
    const kept = (await repos.stations.get('st_1'))?.observations ?? [];
    expect(kept).toHaveLength(MAX_STATION_OBSERVATIONS);
    expect(kept.at(-1)).toEqual({ code: 'tripped', at: at(MAX_STATION_OBSERVATIONS + 4) });
  });

  it('ignores an unknown station (a stray report creates no row)', async () => {
    await repos.stations.recordObservation('st_unknown', { code: 'meterReset', at: at(1) });
    expect(await repos.stations.get('st_unknown')).toBeUndefined();
  });
});
