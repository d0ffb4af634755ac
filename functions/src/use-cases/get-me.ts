import type { DomainError } from '../domain/errors.js';
import { ok, type Result } from '../domain/result.js';
import type { UseCaseDeps } from './deps.js';

export interface MeView {
  id: string;
  email?: string;
  balanceYen: number;
  hasCard: boolean;
  cardBrand?: string;
  cardLast4?: string;
  blocked: boolean;
  blockedBySessionId?: string;
  /** What settles the block (the blocking session's charge), 0 when not blocked. */
  outstandingYen: number;
}

export type GetMe = (q: { driverId: string; email?: string }) => Promise<Result<MeView, DomainError>>;

/** A driver without a row yet (sign-up trigger failed) is shown as new; the row is made at first start. */
export function makeGetMe(deps: Pick<UseCaseDeps, 'drivers' | 'sessions'>): GetMe {
  return async ({ driverId, email }) => {
    const driver = await deps.drivers.get(driverId);
    if (!driver) return ok({ id: driverId, email, balanceYen: 0, hasCard: false, blocked: false, outstandingYen: 0 });
    const blocking =
      driver.blocked && driver.blockedBySessionId ? await deps.sessions.get(driver.blockedBySessionId) : undefined;
    return ok({
      id: driver.id,
      email: driver.email ?? email,
      balanceYen: driver.balanceYen,
      hasCard: driver.defaultPaymentMethodId !== undefined,
      cardBrand: driver.cardBrand,
      cardLast4: driver.cardLast4,
      blocked: driver.blocked,
      blockedBySessionId: driver.blockedBySessionId,
      outstandingYen: blocking?.chargeYen ?? 0,
    });
  };
}
