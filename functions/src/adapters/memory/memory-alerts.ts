import type { Alert, Alerts } from '../../ports/alerts.port.js';
import type { AlertsFeed, RaisedAlert } from '../../ports/alerts-feed.port.js';

/** Records raised alerts (locally an operator reads them from this list). */
export class MemoryAlerts implements Alerts, AlertsFeed {
  readonly raised: Alert[] = [];
  private readonly times: string[] = [];

  constructor(private readonly now: () => Date = () => new Date()) {}

  async raise(alert: Alert): Promise<void> {
    this.raised.push({ ...alert });
    this.times.push(this.now().toISOString());
  }

  async recent(limit: number): Promise<RaisedAlert[]> {
    return this.raised
      .map((a, i) => ({ ...a, at: this.times[i] ?? '' }))
      .reverse()
      .slice(0, Math.max(0, limit));
  }

  withCode(code: string): Alert[] {
    return this.raised.filter((a) => a.code === code);
  }
}
