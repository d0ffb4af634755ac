import { z } from 'zod';
import type { Driver } from '../../domain/driver.js';
import type { LedgerEntry } from '../../domain/ledger.js';
import { type ExposureCap, type LiveReading, SESSION_STATES, type Session } from '../../domain/session.js';
import type { Station, StationObservation } from '../../domain/station.js';
import type { Tariff } from '../../domain/tariff.js';

/**
 * What a stored item must look like to become a domain object again. The store is an edge: a row
 * written by an older release or by hand fails loudly here instead of deep inside a use-case.
 * Each shape `satisfies` a record of EVERY key of its domain type: zod drops unknown keys on
 * read, so a field added to the domain must fail to compile here rather than vanish silently.
 */
type ShapeOf<T> = Record<keyof T, z.ZodType>;
const int = z.number().int();
const count = int.nonnegative();

const tariff = z.object({
  milliYenPerKwh: count,
  sessionFeeYen: count,
  milliYenPerMinute: count,
} satisfies ShapeOf<Tariff>);
const sessionState = z.enum(SESSION_STATES);

const exposureCap = z.object({ maxYen: count.optional(), maxWh: count.optional() } satisfies ShapeOf<ExposureCap>);

const liveReading = z.object({
  seq: int,
  at: z.string(),
  registerWh: int,
  powerW: z.number(),
  energyWh: int.optional(),
  costYen: int.optional(),
} satisfies ShapeOf<LiveReading>);

export const sessionSchema: z.ZodType<Session> = z.object({
  id: z.string(),
  driverId: z.string(),
  stationId: z.string(),
  startKey: z.string(),
  state: sessionState,
  version: count,
  tariff,
  exposureCap: exposureCap.optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  checkoutSessionId: z.string().optional(),
  checkoutUrl: z.string().optional(),
  startCmdId: z.string().optional(),
  stopCmdId: z.string().optional(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  startRegisterWh: int.optional(),
  stopRegisterWh: int.optional(),
  energyWh: int.optional(),
  amountYen: int.optional(),
  carriedInYen: int.optional(),
  chargeYen: int.optional(),
  paymentAttempt: int.optional(),
  idempotencyKey: z.string().optional(),
  customerId: z.string().optional(),
  paymentIntentId: z.string().optional(),
  paymentMethodId: z.string().optional(),
  cardBrand: z.string().optional(),
  cardLast4: z.string().optional(),
  paidAt: z.string().optional(),
  refundedYen: int.optional(),
  stopReason: z.enum(['remote', 'evDisconnected', 'powerLoss', 'fault', 'offlineCap', 'exposureCap']).optional(),
  failureCode: z.string().optional(),
  failureMessage: z.string().optional(),
  live: liveReading.optional(),
} satisfies ShapeOf<Session>);

export const ledgerEntrySchema: z.ZodType<LedgerEntry> = z.object({
  sessionId: z.string(),
  seq: int.positive(),
  at: z.string(),
  from: sessionState.nullable(),
  to: sessionState,
  cause: z.string(),
  evidence: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
} satisfies ShapeOf<LedgerEntry>);

export const driverSchema: z.ZodType<Driver> = z.object({
  id: z.string(),
  email: z.string().optional(),
  stripeCustomerId: z.string().optional(),
  defaultPaymentMethodId: z.string().optional(),
  cardBrand: z.string().optional(),
  cardLast4: z.string().optional(),
  balanceYen: count,
  blocked: z.boolean(),
  blockedBySessionId: z.string().optional(),
  version: count,
  createdAt: z.string(),
  updatedAt: z.string(),
} satisfies ShapeOf<Driver>);

export const stationObservationsSchema: z.ZodType<StationObservation[] | undefined> = z
  .array(
    z.object({
      code: z.string(),
      at: z.string(),
      sessionId: z.string().optional(),
      detail: z.string().optional(),
      registerWh: z.number().optional(),
      previousWh: z.number().optional(),
    } satisfies ShapeOf<StationObservation>),
  )
  .optional();

export const stationSchema: z.ZodType<Station> = z.object({
  id: z.string(),
  name: z.string(),
  site: z.string(),
  model: z.enum(['breaker', 'mode3']),
  ratedW: count,
  voltageV: count,
  tariff,
  online: z.boolean(),
  breaker: z.enum(['open', 'closed']),
  activeSessionId: z.string().optional(),
  fault: z.string().optional(),
  powerW: z.number().optional(),
  lastSeenAt: z.string().optional(),
  observations: stationObservationsSchema,
  updatedAt: z.string(),
} satisfies ShapeOf<Station>);

/**
 * DynamoDB cannot store `undefined`; the injected DocumentClient may not be configured to drop it,
 * so items are cleaned here (recursively: tariff, evidence, live readings are maps).
 */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => withoutUndefined(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
    return out as T;
  }
  return value;
}
