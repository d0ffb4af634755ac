import { EntryHeap, type Scheduler } from './scheduler.js';

/**
 * Real time for a whole fleet: one heap of due times and ONE Node timer armed for the earliest,
 * so 5,000 stations cost one timer instead of 5,000 intervals. Entries due within `sliceMs` of each
 * other fire in the same turn, which bounds timer churn when reports are spread evenly.
 */
export class TimerWheel implements Scheduler {
  private readonly heap = new EntryHeap();
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private stopped = false;
  private firing = false;

  constructor(private readonly sliceMs = 2) {}

  now(): number {
    return Date.now();
  }

  at(dueMs: number, fn: () => void): () => void {
    const e = this.heap.push(dueMs, fn);
    // While firing, the loop below re-arms once at the end instead of once per new entry.
    if (!this.stopped && !this.firing && dueMs < this.armedFor) this.arm(dueMs);
    return () => {
      e.cancelled = true;
    };
  }

  /** Cancels the shared timer; pending entries never fire. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(dueMs: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.armedFor = dueMs;
    this.timer = setTimeout(() => this.fire(), Math.max(0, dueMs - Date.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const horizon = Date.now() + this.sliceMs;
    this.firing = true;
    try {
      for (;;) {
        const top = this.heap.peek();
        if (!top || top.due > horizon || this.stopped) break;
        this.heap.pop();
        if (!top.cancelled) top.fn();
      }
    } finally {
      this.firing = false;
    }
    const next = this.heap.peek();
    if (next && !this.stopped) this.arm(next.due);
  }
}
