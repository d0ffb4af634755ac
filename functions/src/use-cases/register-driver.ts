import type { Driver } from '../domain/driver.js';
import { newDriver } from '../domain/driver-effects.js';
import { ok, type Result } from '../domain/result.js';
import type { IdentityDirectory } from '../ports/identity-directory.port.js';
import type { UseCaseDeps } from './deps.js';

export interface RegisterDriverInput {
  /** The user's `sub`: the driver id and the customer's idempotency key. */
  driverId: string;
  /** Where the user lives in the directory (for the attribute update). */
  userPoolId: string;
  username: string;
  email?: string;
}

export type RegisterDriver = (input: RegisterDriverInput) => Promise<Result<Driver, never>>;

/**
 * On sign-up confirmation: one processor customer per driver (idempotent on the driver id, so a
 * retried trigger finds the same customer), recorded on the user and in the driver row. If this never
 * runs, startCharge creates the customer lazily.
 */
export function makeRegisterDriver(
  deps: Pick<UseCaseDeps, 'drivers' | 'payments' | 'clock'> & { directory: IdentityDirectory },
): RegisterDriver {
  return async ({ driverId, userPoolId, username, email }) => {
    const at = deps.clock.now().toISOString();
    const { customerId } = await deps.payments.ensureCustomer({ driverId, email });
    await deps.directory.setCustomerId({ userPoolId, username }, customerId);
    const stored = await deps.drivers.ensure({ ...newDriver(driverId, at, email), stripeCustomerId: customerId });
    if (stored.stripeCustomerId) return ok(stored);
    // The row existed without a customer (created by a lazy path that failed before the customer call).
    const next: Driver = { ...stored, stripeCustomerId: customerId, version: stored.version + 1, updatedAt: at };
    return ok((await deps.drivers.update(next, stored.version)) ? next : ((await deps.drivers.get(driverId)) ?? next));
  };
}
