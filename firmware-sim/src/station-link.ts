import type { STATION_PUBLISH_CHANNELS } from '../../contracts/station-protocol.js';

export type StationChannel = (typeof STATION_PUBLISH_CHANNELS)[number];

/** How a station's firmware reaches its broker; the MQTT implementation is mqtt-station-link.ts. */
export interface StationLink {
  isOnline(): boolean;
  /** QoS 1 publish on the station's own `channel` topic. */
  publish(channel: StationChannel, payload: string, retain: boolean): void;
}
