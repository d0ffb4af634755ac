import type { Alert, Alerts } from '../../ports/alerts.port.js';
import type { Logger } from '../../ports/logger.port.js';

/** Local alerts: an `ALERT` log line and a bounded in-memory list the operator view can show. */
export class LogAlerts implements Alerts {
  readonly recent: (Alert & { at: string })[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly keep = 200,
  ) {}

  async raise(alert: Alert): Promise<void> {
    this.logger.error('ALERT', { ...alert });
    this.recent.unshift({ ...alert, at: new Date().toISOString() });
    this.recent.length = Math.min(this.recent.length, this.keep);
  }
}
