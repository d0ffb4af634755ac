import type { Anomaly } from '../../domain/reconciliation.js';
import type { AnomalyRepository, RecordedAnomaly } from '../../ports/anomaly-repository.port.js';

/** Anomalies in a Map; record and review are check-and-set without an `await` in between. */
export class MemoryAnomalyRepository implements AnomalyRepository {
  private readonly rows = new Map<string, RecordedAnomaly>();

  async record(anomaly: Anomaly, foundAt: string): Promise<boolean> {
    if (this.rows.has(anomaly.id)) return false;
    this.rows.set(anomaly.id, structuredClone({ ...anomaly, foundAt }));
    return true;
  }

  async get(id: string): Promise<RecordedAnomaly | undefined> {
    const row = this.rows.get(id);
    return row ? structuredClone(row) : undefined;
  }

  async list(opts: { open?: boolean; limit: number }): Promise<RecordedAnomaly[]> {
    return [...this.rows.values()]
      .filter((a) => opts.open === undefined || (a.review === undefined) === opts.open)
      .sort((a, b) => b.foundAt.localeCompare(a.foundAt) || a.id.localeCompare(b.id))
      .slice(0, opts.limit)
      .map((a) => structuredClone(a));
  }

  async review(id: string, review: { operatorId: string; note: string; at: string }): Promise<boolean> {
    const row = this.rows.get(id);
    if (!row || row.review) return false;
    row.review = { ...review };
    return true;
  }
}
