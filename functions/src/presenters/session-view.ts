/**
 * The GraphQL view of a session (`ChargingSession` in contracts/schema.graphql): what query resolvers
 * return and what the publish mutation fans out. Live figures come from the latest meter reading and use
 * the same pricing function as the bill, so the last running cost and the receipt agree on rounding.
 */
import { durationMs, energyBetween, priceYen } from '../domain/pricing.js';
import type { Session, SessionState } from '../domain/session.js';
import type { Tariff } from '../domain/tariff.js';

export interface ReceiptView {
  startRegisterWh: number;
  stopRegisterWh: number;
  energyWh: number;
  sessionAmountYen: number;
  carriedInYen: number;
  chargedYen: number;
  cardBrand: string | null;
  cardLast4: string | null;
  paymentIntentId: string | null;
  paidAt: string | null;
}

export interface SessionView {
  id: string;
  driverId: string;
  stationId: string;
  state: SessionState;
  tariff: Tariff;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  powerW: number | null;
  energyWh: number | null;
  runningCostYen: number | null;
  amountYen: number | null;
  exposureCapYen: number | null;
  exposureCapWh: number | null;
  stopReason: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  checkoutUrl: string | null;
  receipt: ReceiptView | null;
  updatedAt: string;
}

const RECEIPT_STATES: ReadonlySet<SessionState> = new Set([
  'PAID',
  'CARRIED_OVER',
  'PAYMENT_PENDING',
  'PAYMENT_ACTION_REQUIRED',
  'PAYMENT_FAILED',
]);

function liveFigures(s: Session): { powerW: number | null; energyWh: number | null; runningCostYen: number | null } {
  if (s.energyWh !== undefined) {
    return { powerW: null, energyWh: s.energyWh, runningCostYen: s.amountYen ?? null };
  }
  if (s.live && s.startRegisterWh !== undefined && (s.state === 'CHARGING' || s.state === 'STOPPING')) {
    const energyWh = s.live.energyWh ?? energyBetween(s.startRegisterWh, s.live.registerWh);
    const cost = s.live.costYen ?? priceYen(s.tariff, energyWh, durationMs(s.startedAt, s.live.at));
    return { powerW: s.live.powerW, energyWh, runningCostYen: cost };
  }
  return { powerW: null, energyWh: null, runningCostYen: null };
}

function receiptOf(s: Session): ReceiptView | null {
  if (!RECEIPT_STATES.has(s.state) || s.startRegisterWh === undefined || s.stopRegisterWh === undefined) return null;
  const amount = s.amountYen ?? 0;
  const carried = s.carriedInYen ?? 0;
  return {
    startRegisterWh: s.startRegisterWh,
    stopRegisterWh: s.stopRegisterWh,
    energyWh: s.energyWh ?? energyBetween(s.startRegisterWh, s.stopRegisterWh),
    sessionAmountYen: amount,
    carriedInYen: carried,
    chargedYen: s.state === 'CARRIED_OVER' ? 0 : (s.chargeYen ?? amount + carried),
    cardBrand: s.cardBrand ?? null,
    cardLast4: s.cardLast4 ?? null,
    paymentIntentId: s.paymentIntentId ?? null,
    paidAt: s.paidAt ?? null,
  };
}

export function toSessionView(s: Session): SessionView {
  return {
    id: s.id,
    driverId: s.driverId,
    stationId: s.stationId,
    state: s.state,
    tariff: { ...s.tariff },
    createdAt: s.createdAt,
    startedAt: s.startedAt ?? null,
    endedAt: s.endedAt ?? null,
    ...liveFigures(s),
    amountYen: s.amountYen ?? null,
    exposureCapYen: s.exposureCap?.maxYen ?? null,
    exposureCapWh: s.exposureCap?.maxWh ?? null,
    stopReason: s.stopReason ?? null,
    failureCode: s.failureCode ?? null,
    failureMessage: s.failureMessage ?? null,
    checkoutUrl: s.state === 'AWAITING_PAYMENT_METHOD' ? (s.checkoutUrl ?? null) : null,
    receipt: receiptOf(s),
    updatedAt: s.updatedAt,
  };
}
