import { describe, expect, it } from 'vitest';
import { oneAtATime } from '../../../functions/src/composition/one-at-a-time.js';

function gate() {
  let open = (): void => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('oneAtATime', () => {
  it('runs tasks with the same key in arrival order, one after another', async () => {
    const run = oneAtATime();
    const log: string[] = [];
    const first = gate();
    const a = run('ses-1', async () => {
      log.push('a start');
      await first.opened;
      log.push('a end');
      return 'a';
    });
    const b = run('ses-1', async () => {
      log.push('b');
      return 'b';
    });
    await Promise.resolve();
    expect(log).toEqual(['a start']);
    first.open();
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
    expect(log).toEqual(['a start', 'a end', 'b']);
  });

  it('runs different keys side by side', async () => {
    const run = oneAtATime();
    const blocked = gate();
    const a = run('ses-1', () => blocked.opened.then(() => 'a'));
    expect(await run('ses-2', async () => 'b')).toBe('b');
    blocked.open();
    expect(await a).toBe('a');
  });

  it('lets a failure reach its own caller only, and the next task still runs', async () => {
    const run = oneAtATime();
    const failed = run('ses-1', async () => {
      throw new Error('store down');
    });
    const next = run('ses-1', async () => 'next');
    await expect(failed).rejects.toThrow('store down');
    expect(await next).toBe('next');
  });
});
