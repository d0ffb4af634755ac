/**
 * The API's shapes as the app reads them (contracts/schema.graphql). Every response is parsed here,
 * so a contract drift shows up as one clear error instead of `undefined` on screen.
 */
import { z } from 'zod';

export const SESSION_STATES = [
  'AWAITING_PAYMENT_METHOD',
  'ENERGIZING',
  'CHARGING',
  'STOPPING',
  'METERED',
  'PAYMENT_PENDING',
  'PAYMENT_ACTION_REQUIRED',
  'PAID',
  'PAYMENT_FAILED',
  'CARRIED_OVER',
  'FAILED_TO_START',
  'CANCELLED',
] as const;
export const STATION_STATUSES = ['AVAILABLE', 'CHARGING', 'OFFLINE', 'FAULT'] as const;

export const SessionStateSchema = z.enum(SESSION_STATES);
export type SessionState = z.infer<typeof SessionStateSchema>;
export const StationStatusSchema = z.enum(STATION_STATUSES);
export type StationStatus = z.infer<typeof StationStatusSchema>;

const int = z.number().int();
const optionalInt = int.nullish();
const optionalText = z.string().nullish();

export const TariffSchema = z.object({
  milliYenPerKwh: int,
  sessionFeeYen: int,
  milliYenPerMinute: int,
});
export type Tariff = z.infer<typeof TariffSchema>;

export const StationSchema = z.object({
  id: z.string(),
  name: z.string(),
  site: z.string(),
  model: z.enum(['breaker', 'mode3']),
  ratedW: int,
  voltageV: int,
  tariff: TariffSchema,
  status: StationStatusSchema,
  unavailableReason: optionalText,
  breaker: optionalText,
  powerW: z.number().nullish(),
  updatedAt: optionalText,
});
export type Station = z.infer<typeof StationSchema>;

export const ReceiptSchema = z.object({
  startRegisterWh: int,
  stopRegisterWh: int,
  energyWh: int,
  sessionAmountYen: int,
  carriedInYen: int,
  chargedYen: int,
  cardBrand: optionalText,
  cardLast4: optionalText,
  paymentIntentId: optionalText,
  paidAt: optionalText,
});
export type Receipt = z.infer<typeof ReceiptSchema>;

export const SessionSchema = z.object({
  id: z.string(),
  driverId: z.string(),
  stationId: z.string(),
  state: SessionStateSchema,
  tariff: TariffSchema,
  createdAt: z.string(),
  startedAt: optionalText,
  endedAt: optionalText,
  powerW: z.number().nullish(),
  energyWh: optionalInt,
  runningCostYen: optionalInt,
  amountYen: optionalInt,
  exposureCapYen: optionalInt,
  exposureCapWh: optionalInt,
  stopReason: optionalText,
  failureCode: optionalText,
  failureMessage: optionalText,
  checkoutUrl: optionalText,
  receipt: ReceiptSchema.nullish(),
  updatedAt: z.string(),
});
export type ChargingSession = z.infer<typeof SessionSchema>;

export const MeSchema = z.object({
  id: z.string(),
  email: optionalText,
  balanceYen: int,
  hasCard: z.boolean(),
  cardBrand: optionalText,
  cardLast4: optionalText,
  blocked: z.boolean(),
  outstandingYen: int,
  isOperator: z.boolean(),
});
export type Me = z.infer<typeof MeSchema>;

export const StartChargeResultSchema = z.object({
  session: SessionSchema,
  checkoutUrl: optionalText,
});
export type StartChargeResult = z.infer<typeof StartChargeResultSchema>;

export const CheckoutLinkSchema = z.object({ url: z.string(), amountYen: int });
export type CheckoutLink = z.infer<typeof CheckoutLinkSchema>;

export const SessionPageSchema = z.object({
  items: z.array(SessionSchema),
  nextToken: optionalText,
});
export type SessionPage = z.infer<typeof SessionPageSchema>;
