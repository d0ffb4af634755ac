import { describe, expect, it } from 'vitest';
import { makeMemoryWorld } from '../../../functions/src/adapters/memory/memory-world.js';
import { newDriver } from '../../../functions/src/domain/driver-effects.js';
import type { IdentityDirectory } from '../../../functions/src/ports/identity-directory.port.js';
import { makeRegisterDriver } from '../../../functions/src/use-cases/register-driver.js';
import { T0, value } from './harness.js';

class RecordingDirectory implements IdentityDirectory {
  readonly attributes = new Map<string, string>();
  calls = 0;
  async setCustomerId(user: { userPoolId: string; username: string }, customerId: string): Promise<void> {
    this.calls += 1;
    this.attributes.set(`${user.userPoolId}/${user.username}`, customerId);
  }
}

function setup() {
  const w = makeMemoryWorld(T0);
  const directory = new RecordingDirectory();
  const register = makeRegisterDriver({ drivers: w.drivers, payments: w.payments, clock: w.clock, directory });
  const input = { driverId: 'sub-1', userPoolId: 'pool', username: 'user-1', email: 'd@example.jp' };
  return { w, directory, register, input };
}

describe('registerDriver', () => {
  it('creates one customer, records it on the user and in a fresh driver row', async () => {
    const { w, directory, register, input } = setup();
    const driver = value(await register(input));
    const customerId = w.payments.customers.get('sub-1');
    expect(customerId).toBeDefined();
    expect(driver).toMatchObject({
      id: 'sub-1',
      email: 'd@example.jp',
      stripeCustomerId: customerId,
      balanceYen: 0,
      blocked: false,
      createdAt: T0,
    });
    expect(directory.attributes.get('pool/user-1')).toBe(customerId);
    expect(await w.drivers.get('sub-1')).toEqual(driver);
  });

  it('is idempotent: a retried trigger finds the same customer and the same row', async () => {
    const { w, directory, register, input } = setup();
    const first = value(await register(input));
    w.clock.advance(5_000);
    const second = value(await register(input));
    expect(second).toEqual(first);
    expect(w.payments.customers.size).toBe(1);
    expect(directory.attributes.get('pool/user-1')).toBe(first.stripeCustomerId);
    expect(w.drivers.all()).toHaveLength(1);
  });

  it('gives a row made earlier without a customer its customer, bumping the version', async () => {
    const { w, register, input } = setup();
    w.drivers.put({ ...newDriver('sub-1', T0), balanceYen: 28 });
    w.clock.advance(60_000);
    const driver = value(await register(input));
    expect(driver).toMatchObject({
      stripeCustomerId: w.payments.customers.get('sub-1'),
      balanceYen: 28,
      version: 2,
      updatedAt: w.clock.iso(),
    });
    expect(await w.drivers.get('sub-1')).toEqual(driver);
  });

  it('keeps what a concurrent writer stored when the row moved under it', async () => {
    const { w, register, input } = setup();
    w.drivers.put(newDriver('sub-1', T0));
    const racing = { ...newDriver('sub-1', T0), stripeCustomerId: 'cus_other', version: 2 };
    const update = w.drivers.update.bind(w.drivers);
    w.drivers.update = async (next, expected) => {
      w.drivers.put(racing); // another writer got there first
      return update(next, expected);
    };
    expect(value(await register(input))).toEqual(racing);
  });

  it('throws when the processor is down, so the trigger logs it and startCharge retries lazily', async () => {
    const { w, directory, register, input } = setup();
    w.payments.failNext('ensureCustomer');
    await expect(register(input)).rejects.toThrow();
    expect(directory.calls).toBe(0);
    expect(w.drivers.all()).toEqual([]);
  });
});
