/**
 * Scheduled (EventBridge every 15 minutes in the cloud; `npm run reconcile` locally): one
 * reconciliation run. New anomalies are recorded and alerted by the use-case (SNS in the cloud);
 * this logs one `reconcile finished` line with the counts and returns them.
 */
import { lambdaHandler } from '../composition/lambda.js';
import type { Logger } from '../ports/logger.port.js';
import type { Reconcile } from '../use-cases/reconcile.js';

export interface ReconcileRunSummary {
  checkedSessions: number;
  checkedPaymentIntents: number;
  found: number;
  new: number;
  /** Kinds of the anomalies first found this run, with their counts. */
  newByKind: Record<string, number>;
}

export function makeHandler(deps: { reconcile: Reconcile; logger: Logger }) {
  return async (): Promise<ReconcileRunSummary> => {
    const run = await deps.reconcile();
    const newByKind: Record<string, number> = {};
    for (const a of run.newAnomalies) newByKind[a.kind] = (newByKind[a.kind] ?? 0) + 1;
    const summary: ReconcileRunSummary = {
      checkedSessions: run.checkedSessions,
      checkedPaymentIntents: run.checkedPaymentIntents,
      found: run.anomalies.length,
      new: run.newAnomalies.length,
      newByKind,
    };
    if (summary.new > 0) deps.logger.warn('reconcile finished with new anomalies', { ...summary });
    else deps.logger.info('reconcile finished', { ...summary });
    return summary;
  };
}

export const handler = lambdaHandler((d) => makeHandler({ reconcile: d.reconcile, logger: d.logger }));
