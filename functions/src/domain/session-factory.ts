/** A session's first state: ENERGIZING with a card on file, else AWAITING_PAYMENT_METHOD with a setup Checkout. */
import type { LedgerEntry } from './ledger.js';
import type { ExposureCap, Session } from './session.js';
import type { Tariff } from './tariff.js';

export type SessionStart =
  | { kind: 'cardOnFile'; paymentMethodId: string; cardBrand?: string; cardLast4?: string; startCmdId: string }
  | { kind: 'checkout'; checkoutSessionId: string; checkoutUrl: string };

export interface OpenSessionInput {
  id: string;
  driverId: string;
  stationId: string;
  startKey: string;
  tariff: Tariff;
  exposureCap?: ExposureCap;
  at: string;
  start: SessionStart;
}

export function openSession(input: OpenSessionInput): { session: Session; entry: LedgerEntry } {
  const { start, at } = input;
  const base: Session = {
    id: input.id,
    driverId: input.driverId,
    stationId: input.stationId,
    startKey: input.startKey,
    state: start.kind === 'cardOnFile' ? 'ENERGIZING' : 'AWAITING_PAYMENT_METHOD',
    version: 1,
    tariff: { ...input.tariff },
    createdAt: at,
    updatedAt: at,
  };
  if (input.exposureCap) base.exposureCap = { ...input.exposureCap };
  const session: Session =
    start.kind === 'cardOnFile'
      ? {
          ...base,
          paymentMethodId: start.paymentMethodId,
          startCmdId: start.startCmdId,
          ...(start.cardBrand ? { cardBrand: start.cardBrand } : {}),
          ...(start.cardLast4 ? { cardLast4: start.cardLast4 } : {}),
        }
      : { ...base, checkoutSessionId: start.checkoutSessionId, checkoutUrl: start.checkoutUrl };
  const entry: LedgerEntry = {
    sessionId: session.id,
    seq: 1,
    at,
    from: null,
    to: session.state,
    cause: start.kind === 'cardOnFile' ? 'StartRequestedWithCard' : 'StartRequestedNeedsCard',
    evidence:
      start.kind === 'cardOnFile'
        ? { cmdId: start.startCmdId, stationId: input.stationId }
        : { stripeObjectId: start.checkoutSessionId, stationId: input.stationId },
  };
  return { session, entry };
}
