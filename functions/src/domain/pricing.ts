/**
 * Pricing. Rounding rule (the only one): a session's price is summed exactly in micro-yen
 * (1 yen = 1,000,000 µ¥) and rounded ONCE, half up, to whole yen.
 *   energy:  energyWh × milliYenPerKwh            (Wh × m¥/kWh = µ¥, exact)
 *   time:    startedMinutes × milliYenPerMinute × 1,000
 *   fee:     sessionFeeYen × 1,000,000
 *   yen = floor((energy + time + fee + 500,000) / 1,000,000)
 * A started minute counts in full (61 s = 2 minutes); 0 s = 0 minutes. The live running cost uses
 * the same function, so the last live figure and the bill cannot disagree on rounding.
 */
import type { ExposureCap } from './session.js';
import type { Tariff } from './tariff.js';

const MICRO_PER_YEN = 1_000_000;
const MICRO_PER_MILLI = 1_000;
const MS_PER_MINUTE = 60_000;

export function startedMinutes(durationMs: number): number {
  return durationMs <= 0 ? 0 : Math.ceil(durationMs / MS_PER_MINUTE);
}

/** The exact price before rounding, in micro-yen. */
export function priceMicroYen(tariff: Tariff, energyWh: number, durationMs: number): number {
  if (!Number.isInteger(energyWh) || energyWh < 0) throw new RangeError(`energyWh must be a whole number ≥ 0`);
  const micro =
    energyWh * tariff.milliYenPerKwh +
    startedMinutes(durationMs) * tariff.milliYenPerMinute * MICRO_PER_MILLI +
    tariff.sessionFeeYen * MICRO_PER_YEN;
  if (!Number.isSafeInteger(micro)) throw new RangeError('price exceeds exact integer range');
  return micro;
}

/** Half up: ¥12.5 → ¥13, ¥12.499999 → ¥12. */
export function roundMicroYen(micro: number): number {
  return Math.floor((micro + MICRO_PER_YEN / 2) / MICRO_PER_YEN);
}

/** The session's amount in yen: a pure function of (energy, duration, tariff). */
export function priceYen(tariff: Tariff, energyWh: number, durationMs: number): number {
  return roundMicroYen(priceMicroYen(tariff, energyWh, durationMs));
}

export function durationMs(startedAt: string | undefined, endedAt: string): number {
  if (!startedAt) return 0;
  return Math.max(0, Date.parse(endedAt) - Date.parse(startedAt));
}

/** Energy from the meter register (never from integrated power); a register going backwards is 0 Wh. */
export function energyBetween(startRegisterWh: number, stopRegisterWh: number): number {
  return Math.max(0, stopRegisterWh - startRegisterWh);
}

/** True once the session has reached its cap (Wh or yen, whichever comes first). */
export function exposureReached(
  cap: ExposureCap | undefined,
  tariff: Tariff,
  energyWh: number,
  elapsedMs: number,
): boolean {
  if (!cap) return false;
  if (cap.maxWh !== undefined && energyWh >= cap.maxWh) return true;
  return cap.maxYen !== undefined && priceYen(tariff, energyWh, elapsedMs) >= cap.maxYen;
}

/**
 * The energy limit the station enforces by itself: the Wh cap, or the Wh the yen cap buys after the
 * session fee (time fees ignored: the backend stops on time-based cost from meter reports).
 */
export function capToMaxWh(cap: ExposureCap | undefined, tariff: Tariff): number | undefined {
  if (!cap) return undefined;
  const limits: number[] = [];
  if (cap.maxWh !== undefined) limits.push(cap.maxWh);
  if (cap.maxYen !== undefined && tariff.milliYenPerKwh > 0) {
    const budgetMicro = Math.max(0, cap.maxYen - tariff.sessionFeeYen) * MICRO_PER_YEN;
    limits.push(Math.floor(budgetMicro / tariff.milliYenPerKwh));
  }
  return limits.length === 0 ? undefined : Math.min(...limits);
}
