import type { Session } from '../domain/session.js';
import type { UseCaseDeps } from './deps.js';
import { transition } from './session-commit.js';
import { releaseStation, sendCommand } from './station-effects.js';

/**
 * Sends the close command of a session that just became ENERGIZING. If the command cannot even be
 * sent, the session fails to start at once (nothing was charged) instead of waiting for the sweeper.
 */
export async function energize(deps: UseCaseDeps, session: Session): Promise<Session> {
  if (session.state !== 'ENERGIZING' || !session.startCmdId) return session;
  if (await sendCommand(deps, session, 'close', session.startCmdId)) return session;
  const failed = await transition(deps, session.id, { type: 'StartTimedOut', reason: 'commandNotSent' });
  if (failed.kind !== 'transitioned') return failed.kind === 'missing' ? session : failed.session;
  await releaseStation(deps, failed.session);
  return failed.session;
}

/** The web app's return addresses for a Checkout opened for this session. */
export function checkoutUrls(webBaseUrl: string, sessionId: string): { successUrl: string; cancelUrl: string } {
  const base = `${webBaseUrl.replace(/\/+$/, '')}/sessions/${encodeURIComponent(sessionId)}`;
  return { successUrl: `${base}?checkout=success`, cancelUrl: `${base}?checkout=cancelled` };
}
