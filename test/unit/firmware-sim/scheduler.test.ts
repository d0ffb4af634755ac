import { describe, expect, it } from 'vitest';
import { ManualScheduler } from '../../../firmware-sim/src/scheduler.js';
import { TimerWheel } from '../../../firmware-sim/src/timer-wheel.js';

describe('ManualScheduler', () => {
  it('fires timers in due order, ties in arming order, each at its own time', () => {
    const s = new ManualScheduler(0);
    const seen: string[] = [];
    s.at(30, () => seen.push(`c@${s.now()}`));
    s.at(10, () => seen.push(`a@${s.now()}`));
    s.at(10, () => seen.push(`b@${s.now()}`));
    const cancel = s.at(20, () => seen.push('cancelled'));
    cancel();
    s.advance(25);
    expect(seen).toEqual(['a@10', 'b@10']);
    s.advance(100);
    expect(seen).toEqual(['a@10', 'b@10', 'c@30']);
    expect(s.now()).toBe(125);
  });

  it('runs timers armed by timers within the same advance', () => {
    const s = new ManualScheduler(0);
    let n = 0;
    const tick = () => {
      n++;
      s.at(s.now() + 100, tick);
    };
    s.at(100, tick);
    s.advance(1_000);
    expect(n).toBe(10);
  });
});

describe('TimerWheel', () => {
  it('fires many entries from one real timer, in due order', async () => {
    const w = new TimerWheel();
    const seen: number[] = [];
    const t0 = Date.now();
    await new Promise<void>((resolve) => {
      for (let i = 9; i >= 0; i--) w.at(t0 + i * 3, () => seen.push(i));
      w.at(t0 + 40, resolve);
    });
    w.stop();
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('stops firing after stop()', async () => {
    const w = new TimerWheel();
    let fired = false;
    w.at(Date.now() + 5, () => {
      fired = true;
    });
    w.stop();
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toBe(false);
  });
});
