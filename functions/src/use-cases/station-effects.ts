/** Station-side effects of transitions: freeing the station and the breaker commands. */
import { capToMaxWh } from '../domain/pricing.js';
import type { Session } from '../domain/session.js';
import type { Station } from '../domain/station.js';
import type { BreakerCommand } from '../ports/breaker-control.port.js';
import type { UseCaseDeps } from './deps.js';

type Deps = Pick<UseCaseDeps, 'stations' | 'breaker' | 'live' | 'clock' | 'logger' | 'config'>;

/** Frees the station iff it is still bound to this session, and tells subscribers. */
export async function releaseStation(deps: Deps, session: Session): Promise<void> {
  const at = deps.clock.now().toISOString();
  const freed = await deps.stations.release(session.stationId, session.id, at);
  if (freed) await publishStationView(deps, freed);
}

/** Publishes a station the caller already holds; a failed publish is only logged. */
export async function publishStationView(deps: Pick<Deps, 'live' | 'logger'>, station: Station): Promise<void> {
  try {
    await deps.live.stationChanged(station);
  } catch (e) {
    deps.logger.warn('station publish failed', { stationId: station.id, error: String(e) });
  }
}

export function breakerCommand(
  deps: Pick<Deps, 'clock' | 'config'>,
  session: Session,
  action: BreakerCommand['action'],
  cmdId: string,
): BreakerCommand {
  const now = deps.clock.now();
  const command: BreakerCommand = {
    cmdId,
    sessionId: session.id,
    action,
    issuedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + deps.config.commandTtlMs).toISOString(),
  };
  if (action === 'close') {
    const limits = {
      maxWh: capToMaxWh(session.exposureCap, session.tariff),
      offlineMaxWh: deps.config.offlineMaxWh,
      offlineMaxSec: deps.config.offlineMaxSec,
    };
    const defined = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
    if (Object.keys(defined).length > 0) command.limits = defined;
  }
  return command;
}

/** Sends a command; false (logged) when the link failed, so the caller decides what that means. */
export async function sendCommand(
  deps: Deps,
  session: Session,
  action: BreakerCommand['action'],
  cmdId: string,
): Promise<boolean> {
  try {
    await deps.breaker.send(session.stationId, breakerCommand(deps, session, action, cmdId));
    return true;
  } catch (e) {
    deps.logger.error('breaker command not sent', {
      sessionId: session.id,
      stationId: session.stationId,
      action,
      cmdId,
      error: String(e),
    });
    return false;
  }
}
