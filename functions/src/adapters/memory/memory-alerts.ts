import type { Alert, Alerts } from '../../ports/alerts.port.js';

/** Records raised alerts (locally an operator reads them from this list). */
export class MemoryAlerts implements Alerts {
  readonly raised: Alert[] = [];

  async raise(alert: Alert): Promise<void> {
    this.raised.push({ ...alert });
  }

  withCode(code: string): Alert[] {
    return this.raised.filter((a) => a.code === code);
  }
}
