/**
 * Station presence (online / offline / charging) from the station's `conn` and `state` messages.
 * Ordered by the broker's receive time, not the station's clock: the Last Will carries no time of
 * its own and station clocks drift, while QoS 1 redelivery can bring an older message late.
 * Subscribers hear of a station only when something they can see changed.
 */
import type { Station } from '../domain/station.js';
import type { Clock } from '../ports/clock.port.js';
import type { LivePublisher } from '../ports/live-publisher.port.js';
import type { PresencePatch, StationRepository } from '../ports/station-repository.port.js';

export type PresenceSignal =
  /** `conn`: the station's own announcement, or its Last Will `{"online":false}`. */
  | { kind: 'conn'; online: boolean; receivedAt: string }
  /** `state`: a station reporting its state is connected by definition. */
  | { kind: 'state'; breaker: 'open' | 'closed'; sessionId: string | null; receivedAt: string };

export type PresenceOutcome = 'changed' | 'unchanged' | 'stale' | 'unknownStation';

export interface StationPresenceDeps {
  stations: Pick<StationRepository, 'get' | 'updatePresence'>;
  live: Pick<LivePublisher, 'stationChanged'>;
  clock: Clock;
}

export interface StationPresence {
  apply(stationId: string, signal: PresenceSignal): Promise<PresenceOutcome>;
}

function patchFor(station: Station, signal: PresenceSignal): PresencePatch {
  if (signal.kind === 'conn') return { online: signal.online, lastSeenAt: signal.receivedAt };
  const patch: PresencePatch = { online: true, breaker: signal.breaker, lastSeenAt: signal.receivedAt };
  if (signal.breaker === 'open' && station.powerW !== undefined && station.powerW !== 0) patch.powerW = 0;
  return patch;
}

function visibleChange(station: Station, patch: PresencePatch): boolean {
  return (
    (patch.online !== undefined && patch.online !== station.online) ||
    (patch.breaker !== undefined && patch.breaker !== station.breaker) ||
    (patch.powerW !== undefined && patch.powerW !== station.powerW)
  );
}

export function makeStationPresence(deps: StationPresenceDeps): StationPresence {
  return {
    async apply(stationId, signal) {
      const station = await deps.stations.get(stationId);
      if (!station) return 'unknownStation';
      const received = Date.parse(signal.receivedAt);
      if (station.lastSeenAt !== undefined && received < Date.parse(station.lastSeenAt)) return 'stale';
      const patch = patchFor(station, signal);
      const at = deps.clock.now().toISOString();
      await deps.stations.updatePresence(stationId, patch, at);
      if (!visibleChange(station, patch)) return 'unchanged';
      await deps.live.stationChanged({ ...station, ...patch, updatedAt: at });
      return 'changed';
    },
  };
}
