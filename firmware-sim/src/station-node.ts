import { EvBattery } from './ev-battery.js';
import { type LinkOptions, MqttStationLink } from './mqtt-station-link.js';
import type { Rng } from './rng.js';
import type { Scheduler } from './scheduler.js';
import { Station, type StationOptions } from './station.js';

export interface StationNodeOptions extends Omit<StationOptions, 'link' | 'id'> {
  link: LinkOptions;
}

/** A fresh EV arriving: 20–70 % charged, a 40 kWh pack, a 6.6 kW on-board charger. */
export function arrivingEv(rng: Rng): EvBattery {
  return new EvBattery({ capacityWh: 40_000, socPct: 20 + rng.next() * 50, maxAcceptW: 6_600 });
}

/**
 * A station on the network: the firmware (Station) wired to its MQTT connection, plus the faults
 * that involve both — power loss reboots the firmware and drops the link; offline, partition and
 * client-id takeover act on the link and heal after a while.
 */
export class StationNode {
  readonly station: Station;
  readonly link: MqttStationLink;
  private readonly sched: Scheduler;

  constructor(o: StationNodeOptions) {
    this.sched = o.scheduler;
    let station: Station | undefined;
    this.link = new MqttStationLink(o.link, {
      onUp: () => station?.onLinkUp(),
      onDown: () => station?.onLinkDown(),
      onCommand: (payload) => station?.handleCommand(payload),
    });
    station = new Station({ ...o, id: o.link.stationId, link: this.link });
    this.station = station;
  }

  get id(): string {
    return this.station.id;
  }

  start(): void {
    this.station.boot();
    this.link.connect();
  }

  /** Power off now; power back (reboot) after `offMs`. */
  powerLoss(offMs: number): void {
    if (!this.station.powered) return;
    this.station.powerLoss();
    this.link.drop();
    this.sched.at(this.sched.now() + offMs, () => this.start());
  }

  /** The station loses its network abruptly for `ms`. */
  goOffline(ms: number): void {
    if (!this.station.powered) return;
    this.link.drop();
    this.sched.at(this.sched.now() + ms, () => {
      if (this.station.powered) this.link.connect();
    });
  }

  partition(ms: number): void {
    const heal = this.link.partition();
    this.sched.at(this.sched.now() + ms, heal);
  }

  takeover(ms: number): void {
    const release = this.link.takeover();
    this.sched.at(this.sched.now() + ms, release);
  }

  stop(graceful = true): Promise<void> {
    this.station.powerLoss();
    return this.link.close(graceful);
  }
}
