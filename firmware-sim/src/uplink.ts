import type { Ack } from '../../contracts/station-protocol.js';
import { Outbox, type Outgoing } from './outbox.js';
import type { Rng } from './rng.js';
import type { Scheduler } from './scheduler.js';
import type { StationLink } from './station-link.js';

export interface AckFaults {
  dropP?: number;
  duplicateP?: number;
  delayP?: number;
  delayMs?: number;
}

export interface UplinkCounters {
  acksDropped: number;
  replayed: number;
}

const REPLAY_TICK_MS = 100;

/**
 * The station's way out: readings and events go straight to the link while it is up and the
 * outbox is empty, otherwise into the outbox, which is replayed in order (throttled) once the link
 * is back. Acks are never buffered (a retry gets the cached ack) and pass through the ack faults.
 */
export class Uplink {
  ackFaults: AckFaults = {};
  private readonly outbox: Outbox;
  private readonly replayBatch: number;
  private draining = false;

  constructor(
    private readonly link: StationLink,
    private readonly sched: Scheduler,
    private readonly rng: Rng,
    private readonly counters: UplinkCounters,
    o: { bufferMax?: number; replayPerSec?: number } = {},
  ) {
    this.outbox = new Outbox(o.bufferMax ?? 20_000);
    this.replayBatch = Math.max(1, Math.ceil(((o.replayPerSec ?? 20) * REPLAY_TICK_MS) / 1000));
  }

  get online(): boolean {
    return this.link.isOnline();
  }

  get buffered(): number {
    return this.outbox.length;
  }

  get dropped(): number {
    return this.outbox.dropped;
  }

  emit(item: Outgoing): void {
    if (this.link.isOnline() && !this.draining && this.outbox.length === 0) {
      this.link.publish(item.channel, JSON.stringify(item.message), false);
    } else {
      this.outbox.push(item);
    }
  }

  /** Retained channels carry the present only: nothing to buffer while offline. */
  retain(channel: 'state' | 'conn', message: object): void {
    if (this.link.isOnline()) this.link.publish(channel, JSON.stringify(message), true);
  }

  drain(): void {
    this.draining = this.outbox.length > 0;
    for (let i = 0; i < this.replayBatch && this.link.isOnline(); i++) {
      const item = this.outbox.shift();
      if (!item) break;
      if (item.channel === 'meter' && item.message.replayed) this.counters.replayed++;
      this.link.publish(item.channel, JSON.stringify(item.message), false);
    }
    this.draining = this.outbox.length > 0;
    if (this.draining && this.link.isOnline()) this.sched.at(this.sched.now() + REPLAY_TICK_MS, () => this.drain());
  }

  ack(ack: Ack): void {
    const f = this.ackFaults;
    if (!this.link.isOnline() || (f.dropP && this.rng.next() < f.dropP)) {
      this.counters.acksDropped++;
      return;
    }
    const send = () => this.link.publish('ack', JSON.stringify(ack), false);
    if (f.delayP && this.rng.next() < f.delayP) this.sched.at(this.sched.now() + (f.delayMs ?? 2_000), send);
    else send();
    if (f.duplicateP && this.rng.next() < f.duplicateP) send();
  }
}
