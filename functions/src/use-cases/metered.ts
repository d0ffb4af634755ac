import type { Session } from '../domain/session.js';
import { makeChargeSession } from './charge-session.js';
import type { UseCaseDeps } from './deps.js';
import { releaseStation } from './station-effects.js';

/**
 * After METERED: the station is free, and billing starts at once. A billing failure here is logged,
 * not thrown — the metering is already committed and the sweeper re-drives METERED sessions.
 */
export async function afterMetered(deps: UseCaseDeps, session: Session): Promise<Session> {
  await releaseStation(deps, session);
  if (session.failureCode === 'METER_INCONSISTENT') {
    await deps.alerts.raise({
      code: 'METER_INCONSISTENT',
      sessionId: session.id,
      stationId: session.stationId,
      detail: `stop register ${session.stopRegisterWh} Wh below start ${session.startRegisterWh} Wh; billed 0 Wh`,
    });
  }
  try {
    const charged = await makeChargeSession(deps)({ sessionId: session.id, known: session });
    return charged.ok ? charged.value : session;
  } catch (e) {
    deps.logger.error('billing after metering failed; the sweeper will re-drive it', {
      sessionId: session.id,
      error: String(e),
    });
    return (await deps.sessions.get(session.id)) ?? session;
  }
}
