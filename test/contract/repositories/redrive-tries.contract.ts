import { beforeEach, expect, it } from 'vitest';
import type { RedriveStep, RedriveTries } from '../../../functions/src/ports/redrive-tries.port.js';
import { uniqueId } from './fixtures.js';

export interface RedriveTriesStore {
  tries: RedriveTries;
  /** The same store as a restarted process sees it (a new adapter over the same table). */
  reopen(): RedriveTries;
}

// Real time: DynamoDB Local sweeps items whose TTL has passed.
const T = Date.now();
const at = (s: number) => new Date(T + s * 1000).toISOString();
const pace = (s: number, gapSec = 30, escalatedGapSec = 300) => ({
  at: at(s),
  gapMs: gapSec * 1000,
  escalatedGapMs: escalatedGapSec * 1000,
});

/** What every RedriveTries must do (run against the fake and DynamoDB Local). */
export function redriveTriesContract(make: () => Promise<RedriveTriesStore>): void {
  let store: RedriveTriesStore;
  let step: RedriveStep;
  beforeEach(async () => {
    store = await make();
    step = { sessionId: uniqueId('ses'), state: 'STOPPING' };
  });

  it('counts the first try, refuses another within the gap, and counts the next one after it', async () => {
    expect(await store.tries.claim(step, pace(0))).toEqual({ tries: 1, firstAt: at(0) });
    expect(await store.tries.claim(step, pace(29))).toBeUndefined();
    expect(await store.tries.claim(step, pace(30))).toEqual({ tries: 2, firstAt: at(0) });
  });

  it('keeps steps apart: another state or another session has its own count', async () => {
    await store.tries.claim(step, pace(0));
    expect(await store.tries.claim({ ...step, state: 'METERED' }, pace(1))).toMatchObject({ tries: 1 });
    expect(await store.tries.claim({ ...step, sessionId: uniqueId('ses') }, pace(1))).toMatchObject({ tries: 1 });
  });

  it('keeps the count for a restarted process', async () => {
    await store.tries.claim(step, pace(0));
    await store.tries.claim(step, pace(30));
    expect(await store.reopen().claim(step, pace(60))).toEqual({ tries: 3, firstAt: at(0) });
  });

  it('lets exactly one of concurrent claims take a try', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => store.tries.claim(step, pace(0))));
    expect(results.filter((r) => r !== undefined)).toEqual([{ tries: 1, firstAt: at(0) }]);
  });

  it('marks a step escalated once, and spaces its tries by the escalated gap afterwards', async () => {
    expect(await store.tries.markEscalated(step, at(0))).toBe(false); // nothing counted yet
    await store.tries.claim(step, pace(0));
    const marks = await Promise.all(Array.from({ length: 5 }, () => store.tries.markEscalated(step, at(1))));
    expect(marks.filter(Boolean)).toHaveLength(1);
    expect(await store.tries.claim(step, pace(30))).toBeUndefined();
    expect(await store.tries.claim(step, pace(299))).toBeUndefined();
    expect(await store.tries.claim(step, pace(300))).toEqual({ tries: 2, firstAt: at(0), escalatedAt: at(1) });
  });

  it('un-marks an escalation whose alert was not raised, so a later try can raise it', async () => {
    await store.tries.claim(step, pace(0));
    expect(await store.tries.markEscalated(step, at(1))).toBe(true);
    await store.tries.unmarkEscalated(step);
    expect(await store.tries.claim(step, pace(30))).toEqual({ tries: 2, firstAt: at(0) });
    expect(await store.tries.markEscalated(step, at(31))).toBe(true);
    await store.tries.unmarkEscalated({ ...step, sessionId: uniqueId('ses') }); // unknown step: nothing to undo
  });
}
