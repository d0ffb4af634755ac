import { beforeEach, expect, it } from 'vitest';
import type { Repositories } from './backends.js';
import { uniqueId } from './fixtures.js';

/**
 * Marks are stamped with the real time: a mark is kept for its TTL from `at`, and DynamoDB Local
 * really sweeps expired items, so a mark stamped days ago may vanish mid-test.
 */
const now = () => new Date().toISOString();

/** What every ProcessedEvents must do (run against the fake and DynamoDB Local). */
export function processedEventsContract(make: () => Promise<Repositories>): void {
  let repos: Repositories;
  beforeEach(async () => {
    repos = await make();
  });

  it('records an event id once and recognises it afterwards', async () => {
    const id = uniqueId('evt');
    expect(await repos.processedEvents.has(id)).toBe(false);
    expect(await repos.processedEvents.markOnce(id, now())).toBe(true);
    expect(await repos.processedEvents.has(id)).toBe(true);
    expect(await repos.processedEvents.markOnce(id, now())).toBe(false);
  });

  it('keeps ids apart', async () => {
    await repos.processedEvents.markOnce('evt_a', now());
    expect(await repos.processedEvents.has('evt_b')).toBe(false);
    expect(await repos.processedEvents.markOnce('evt_b', now())).toBe(true);
  });

  it('lets exactly one of concurrent marks of the same id win', async () => {
    const id = uniqueId('evt');
    const results = await Promise.all(Array.from({ length: 10 }, () => repos.processedEvents.markOnce(id, now())));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
}
