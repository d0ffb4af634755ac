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

/** An opened breaker draws no power. */
function patchFor(signal: PresenceSignal): PresencePatch {
  if (signal.kind === 'conn') return { online: signal.online, lastSeenAt: signal.receivedAt };
  const patch: PresencePatch = { online: true, breaker: signal.breaker, lastSeenAt: signal.receivedAt };
  if (signal.breaker === 'open') patch.powerW = 0;
  return patch;
}

/** No power reported yet reads as none. */
function visibleChange(station: Station, patch: PresencePatch): boolean {
  return (
    (patch.online !== undefined && patch.online !== station.online) ||
    (patch.breaker !== undefined && patch.breaker !== station.breaker) ||
    (patch.powerW !== undefined && patch.powerW !== (station.powerW ?? 0))
  );
}

export function makeStationPresence(deps: StationPresenceDeps): StationPresence {
  return {
    async apply(stationId, signal) {
      const patch = patchFor(signal);
      const at = deps.clock.now().toISOString();
      // One conditional write that hands back the row as it was: no read first (two per session saved).
      const before = await deps.stations.updatePresence(stationId, patch, at);
      if (!before) return (await deps.stations.get(stationId)) ? 'stale' : 'unknownStation';
      if (!visibleChange(before, patch)) return 'unchanged';
      await deps.live.stationChanged({ ...before, ...patch, updatedAt: at });
      return 'changed';
    },
  };
}
