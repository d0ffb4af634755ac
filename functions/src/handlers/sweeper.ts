/**
 * Scheduled (EventBridge every minute in the cloud, a timer locally): the watchdog. Moves sessions
 * that waited too long — unacked starts, stops without an ack, charges to re-drive with the same
 * idempotency key — and alerts a person once per step that stays stuck (see sweep-stale.ts).
 * Emits the counts so an alarm can watch sessions stuck in a transitional state.
 */
import { lambdaHandler } from '../composition/lambda.js';
import type { Logger } from '../ports/logger.port.js';
import type { SweepReport, SweepStale } from '../use-cases/sweep-stale.js';

export function makeHandler(deps: { sweepStale: SweepStale; logger: Logger }) {
  return async (): Promise<SweepReport> => {
    const r = await deps.sweepStale();
    if (!r.ok) throw new Error('sweep refused'); // SweepStale's error type is `never`
    const report = r.value;
    const counts: Record<string, number> = {};
    for (const [k, v] of Object.entries(report) as [keyof SweepReport, unknown[]][]) counts[k] = v.length;
    if (report.errors.length > 0) deps.logger.warn('sweep finished with errors', { ...counts, errors: report.errors });
    else deps.logger.info('sweep finished', counts);
    return report;
  };
}

export const handler = lambdaHandler((d) => makeHandler({ sweepStale: d.useCases.sweepStale, logger: d.logger }));
