import { describe, expect, it } from 'vitest';
import { StartIntents } from '../../../web/src/lib/start-intent.js';

function intents() {
  let n = 0;
  return new StartIntents(() => `key-${++n}`);
}

describe('StartIntents', () => {
  it('ignores a second tap while the first start is in flight', () => {
    const starts = intents();
    expect(starts.begin('st-1')).toBe('key-1');
    expect(starts.begin('st-1')).toBeNull();
    expect(starts.isPending('st-1')).toBe(true);
  });

  it('reuses the key when the first attempt got no answer, so a retry cannot start twice', () => {
    const starts = intents();
    starts.begin('st-1');
    starts.settle('st-1', 'unanswered');
    expect(starts.isPending('st-1')).toBe(false);
    expect(starts.begin('st-1')).toBe('key-1');
  });

  it('uses a fresh key for a new intent after the server answered', () => {
    const starts = intents();
    starts.begin('st-1');
    starts.settle('st-1', 'answered');
    expect(starts.begin('st-1')).toBe('key-2');
  });

  it('keeps stations independent', () => {
    const starts = intents();
    expect(starts.begin('st-1')).toBe('key-1');
    expect(starts.begin('st-2')).toBe('key-2');
  });
});
