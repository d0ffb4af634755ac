/**
 * After the run: every session the drivers started must be PAID exactly once — in the store (state and
 * ledger), as the subscriber saw it — and the processor must hold exactly one succeeded PaymentIntent per
 * PAID session. The stack is fresh per run, so everything in the Stripe emulator belongs to this run.
 */
import type { UseCaseDeps } from '../../../functions/src/use-cases/deps.js';
import type { SessionResult } from './session-run.js';

export interface Audit {
  lostOrDoubled: number;
  notPaidOnce: string[];
  paidSessions: number;
  succeededIntents: number;
  /** Sessions with more than one succeeded PaymentIntent, or intents for no PAID session. */
  intentMismatches: number;
}

export async function audit(ports: Pick<UseCaseDeps, 'sessions' | 'payments'>, runs: SessionResult[]): Promise<Audit> {
  const notPaidOnce: string[] = [];
  const paid = new Set<string>();
  for (const run of runs) {
    if (!run.sessionId) {
      notPaidOnce.push(`a start that returned no session (${run.error ?? 'no error'})`);
      continue;
    }
    const [session, ledger] = await Promise.all([
      ports.sessions.get(run.sessionId),
      ports.sessions.ledger(run.sessionId),
    ]);
    const paidEntries = ledger.filter((e) => e.to === 'PAID').length;
    if (session?.state === 'PAID' && paidEntries === 1 && run.paidSeen === 1) paid.add(run.sessionId);
    else {
      notPaidOnce.push(
        `${run.sessionId}: ${session?.state ?? 'missing'}, ${paidEntries} PAID ledger entries, ${run.paidSeen} seen${run.error ? ` (${run.error})` : ''}`,
      );
    }
  }
  const intents = await ports.payments.listPaymentIntents({ limit: 1_000_000 });
  const succeeded = intents.filter((pi) => pi.status === 'succeeded');
  const perSession = new Map<string, number>();
  for (const pi of succeeded) perSession.set(pi.sessionId ?? '', (perSession.get(pi.sessionId ?? '') ?? 0) + 1);
  let intentMismatches = 0;
  for (const [sessionId, n] of perSession) if (n !== 1 || !paid.has(sessionId)) intentMismatches += n;
  return {
    lostOrDoubled: notPaidOnce.length + Math.abs(succeeded.length - paid.size),
    notPaidOnce,
    paidSessions: paid.size,
    succeededIntents: succeeded.length,
    intentMismatches,
  };
}
