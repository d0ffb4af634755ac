import type { Driver } from '../domain/driver.js';

export interface DriverRepository {
  get(id: string): Promise<Driver | undefined>;
  /** Creates the driver row if absent; returns the stored row either way. */
  ensure(driver: Driver): Promise<Driver>;
  /** Conditional write on version; false when it moved meanwhile. */
  update(next: Driver, expectedVersion: number): Promise<boolean>;
}
