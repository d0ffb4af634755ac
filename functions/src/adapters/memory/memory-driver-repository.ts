import type { Driver } from '../../domain/driver.js';
import type { DriverRepository } from '../../ports/driver-repository.port.js';

/**
 * Drivers in a Map. Versions follow the same rule as sessions: a write must carry
 * `expectedVersion + 1`, so a use-case that forgets to bump the version fails loudly in tests.
 */
export class MemoryDriverRepository implements DriverRepository {
  private readonly rows = new Map<string, Driver>();

  async get(id: string): Promise<Driver | undefined> {
    const row = this.rows.get(id);
    return row ? structuredClone(row) : undefined;
  }

  async ensure(driver: Driver): Promise<Driver> {
    const existing = this.rows.get(driver.id);
    if (existing) return structuredClone(existing);
    this.rows.set(driver.id, structuredClone(driver));
    return structuredClone(driver);
  }

  async update(next: Driver, expectedVersion: number): Promise<boolean> {
    if (!this.canWrite(next, expectedVersion)) return false;
    this.write(next);
    return true;
  }

  /** Seeds or overwrites a row (tests only). */
  put(driver: Driver): void {
    this.rows.set(driver.id, structuredClone(driver));
  }

  all(): Driver[] {
    return [...this.rows.values()].map((d) => structuredClone(d));
  }

  /** Used by the session repository to check a driver change inside its atomic commit. */
  canWrite(next: Driver, expectedVersion: number): boolean {
    assertBumped(next.version, expectedVersion, `driver ${next.id}`);
    const current = this.rows.get(next.id);
    return current !== undefined && current.version === expectedVersion;
  }

  write(next: Driver): void {
    this.rows.set(next.id, structuredClone(next));
  }
}

export function assertBumped(nextVersion: number, expectedVersion: number, what: string): void {
  if (nextVersion !== expectedVersion + 1) {
    throw new Error(`${what}: version must be expectedVersion + 1 (${expectedVersion + 1}), got ${nextVersion}`);
  }
}
