/**
 * Time for the simulator. Every station reads the time and arms its timers through one Scheduler,
 * so unit tests drive the physics with a ManualScheduler (no real waiting) and a fleet of 5,000
 * stations shares one real timer (TimerWheel) instead of 5,000 intervals.
 */
export interface Scheduler {
  /** Epoch milliseconds. */
  now(): number;
  /** Runs `fn` once at `dueMs` (or on the next turn if that is already past); returns a cancel function. */
  at(dueMs: number, fn: () => void): () => void;
}

interface Entry {
  due: number;
  order: number;
  fn: () => void;
  cancelled: boolean;
}

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.order < b.order);
}

/** Binary min-heap by (due, insertion order): equal due times fire in the order they were armed. */
export class EntryHeap {
  private readonly items: Entry[] = [];
  private counter = 0;

  get size(): number {
    return this.items.length;
  }

  push(due: number, fn: () => void): Entry {
    const e: Entry = { due, order: this.counter++, fn, cancelled: false };
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (!before(e, parent)) break;
      a[i] = parent;
      i = p;
    }
    a[i] = e;
    return e;
  }

  peek(): Entry | undefined {
    return this.items[0];
  }

  pop(): Entry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && before(a[r]!, a[l]!) ? r : l;
      if (!before(a[c]!, last)) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

/** Virtual time for tests: nothing happens until `advance` moves the clock. */
export class ManualScheduler implements Scheduler {
  private readonly heap = new EntryHeap();
  private t: number;

  constructor(startMs = Date.parse('2026-11-22T00:00:00.000Z')) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  at(dueMs: number, fn: () => void): () => void {
    const e = this.heap.push(Math.max(dueMs, this.t), fn);
    return () => {
      e.cancelled = true;
    };
  }

  /** Moves time forward by `ms`, firing every due timer at its own due time, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    // Bounded: a timer that keeps re-arming itself at `now` would otherwise spin forever.
    for (let fired = 0; fired < 10_000_000; fired++) {
      const top = this.heap.peek();
      if (!top || top.due > end) break;
      this.heap.pop();
      if (top.cancelled) continue;
      this.t = Math.max(this.t, top.due);
      top.fn();
    }
    this.t = end;
  }

  get pending(): number {
    return this.heap.size;
  }
}
