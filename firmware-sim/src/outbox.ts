import type { MeterReport, StationEvent } from '../../contracts/station-protocol.js';

export type Outgoing = { channel: 'meter'; message: MeterReport } | { channel: 'evt'; message: StationEvent };

/**
 * Readings and events kept in non-volatile memory while the station cannot publish, replayed in
 * order. When full, the oldest meter readings go first: events (session_end) are never dropped.
 */
export class Outbox {
  private items: Outgoing[] = [];
  private head = 0;
  dropped = 0;

  constructor(private readonly max: number) {}

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: Outgoing): void {
    if (this.length >= this.max) this.dropOldestReading();
    this.items.push(item);
  }

  shift(): Outgoing | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++];
    // Compact now and then rather than shifting the array on every message.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  private dropOldestReading(): void {
    for (let i = this.head; i < this.items.length; i++) {
      if (this.items[i]?.channel === 'meter') {
        this.items.splice(i, 1);
        this.dropped++;
        return;
      }
    }
  }
}
