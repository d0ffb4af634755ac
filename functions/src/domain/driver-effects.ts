/**
 * What a session transition does to its driver, applied in the same atomic write:
 *   METERED → CARRIED_OVER     the amount joins the carried balance;
 *   METERED → PAYMENT_PENDING  the carried-in part leaves the balance (it is now in chargeYen);
 *   → PAYMENT_FAILED / PAYMENT_ACTION_REQUIRED   the driver is blocked until this session is settled;
 *   → PAID                     the block this session caused is lifted.
 */
import type { Driver } from './driver.js';
import type { Session } from './session.js';

export type DriverPatch = Partial<Pick<Driver, 'balanceYen' | 'blocked' | 'blockedBySessionId'>>;

export function driverPatchFor(prev: Session, next: Session, driver: Driver): DriverPatch | undefined {
  if (prev.state === next.state) return undefined;
  switch (next.state) {
    case 'CARRIED_OVER':
      return { balanceYen: driver.balanceYen + (next.amountYen ?? 0) };
    case 'PAYMENT_PENDING':
      return { balanceYen: driver.balanceYen - (next.carriedInYen ?? 0) };
    case 'PAYMENT_FAILED':
    case 'PAYMENT_ACTION_REQUIRED':
      return { blocked: true, blockedBySessionId: driver.blockedBySessionId ?? next.id };
    case 'PAID':
      return driver.blocked && driver.blockedBySessionId === next.id
        ? { blocked: false, blockedBySessionId: undefined }
        : undefined;
    default:
      return undefined;
  }
}

/** Transitions whose driver change must be written together with the session. */
export function touchesDriver(prev: Session, next: Session): boolean {
  return (
    prev.state !== next.state &&
    ['CARRIED_OVER', 'PAYMENT_PENDING', 'PAYMENT_FAILED', 'PAYMENT_ACTION_REQUIRED', 'PAID'].includes(next.state)
  );
}

export function newDriver(id: string, at: string, email?: string): Driver {
  return { id, ...(email ? { email } : {}), balanceYen: 0, blocked: false, version: 1, createdAt: at, updatedAt: at };
}
