import type { BreakerFault } from './charge-point.js';

/**
 * The safety rules for breaker commands as pure decisions, apart from I/O: a station closes only for
 * a valid, unexpired command of a session it is not already serving someone else with, never for a
 * session that has already ended, and (Mode-3) only with an EV on the cable.
 */
export interface CommandContext {
  activeSessionId: string | null;
  /** The command's session already ended here (a late replay must not restart it). */
  sessionEnded: boolean;
  model: 'breaker' | 'mode3';
  evPresent: boolean;
  breakerFault: BreakerFault;
}

export type Decision =
  /** `ended`: an open for a session this station already ended by itself — nothing to do, its end is known. */
  | { ok: true; effect: 'close' | 'open' | 'none' | 'ended' }
  | { ok: false; reason: 'busy' | 'sessionEnded' | 'evNotConnected' | 'breakerFailed' | 'breakerWelded' };

export function decideClose(ctx: CommandContext, sessionId: string): Decision {
  if (ctx.activeSessionId === sessionId) return { ok: true, effect: 'none' };
  if (ctx.activeSessionId !== null) return { ok: false, reason: 'busy' };
  if (ctx.sessionEnded) return { ok: false, reason: 'sessionEnded' };
  if (ctx.model === 'mode3' && !ctx.evPresent) return { ok: false, reason: 'evNotConnected' };
  if (ctx.breakerFault === 'failToClose') return { ok: false, reason: 'breakerFailed' };
  return { ok: true, effect: 'close' };
}

export function decideOpen(ctx: CommandContext, sessionId: string): Decision {
  if (ctx.activeSessionId === sessionId) {
    return ctx.breakerFault === 'welded' ? { ok: false, reason: 'breakerWelded' } : { ok: true, effect: 'open' };
  }
  // Over already (offline cap, unplugged, …): the session's own end answers, whatever runs now.
  if (ctx.sessionEnded) return { ok: true, effect: 'ended' };
  if (ctx.activeSessionId !== null) return { ok: false, reason: 'busy' };
  return { ok: true, effect: 'none' };
}

/** A command is live from issue until expiry; unparseable or inverted windows are never live. */
export function isLive(issuedAt: string, expiresAt: string, nowMs: number): boolean {
  const issued = Date.parse(issuedAt);
  const expires = Date.parse(expiresAt);
  return Number.isFinite(issued) && Number.isFinite(expires) && expires > issued && expires > nowMs;
}
