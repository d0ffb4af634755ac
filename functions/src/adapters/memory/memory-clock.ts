import type { Clock } from '../../ports/clock.port.js';

/** A settable clock for tests and simulations: time moves only when told to. */
export class MemoryClock implements Clock {
  private ms: number;

  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  set(at: Date | string): void {
    this.ms = new Date(at).getTime();
  }

  advance(ms: number): Date {
    this.ms += ms;
    return this.now();
  }

  iso(): string {
    return this.now().toISOString();
  }
}
