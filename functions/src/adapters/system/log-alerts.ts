import type { Alert, Alerts } from '../../ports/alerts.port.js';
import type { AlertsFeed, RaisedAlert } from '../../ports/alerts-feed.port.js';
import type { Logger } from '../../ports/logger.port.js';

/** Local alerts: an `ALERT` log line and a bounded in-memory list the operator view can show. */
export class LogAlerts implements Alerts, AlertsFeed {
  /** Newest first, at most `keep`. */
  private readonly raised: RaisedAlert[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly keep = 200,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async raise(alert: Alert): Promise<void> {
    this.logger.error('ALERT', { ...alert });
    this.raised.unshift({ ...alert, at: this.now().toISOString() });
    this.raised.length = Math.min(this.raised.length, this.keep);
  }

  async recent(limit: number): Promise<RaisedAlert[]> {
    return this.raised.slice(0, Math.max(0, limit)).map((a) => ({ ...a }));
  }
}
