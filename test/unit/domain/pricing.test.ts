import { describe, expect, it } from 'vitest';
import {
  capToMaxWh,
  durationMs,
  energyBetween,
  exposureReached,
  priceMicroYen,
  priceYen,
  roundMicroYen,
  startedMinutes,
} from '../../../functions/src/domain/pricing.js';
import type { Tariff } from '../../../functions/src/domain/tariff.js';

const kwhOnly: Tariff = { milliYenPerKwh: 55_500, sessionFeeYen: 0, milliYenPerMinute: 0 };
const full: Tariff = { milliYenPerKwh: 55_500, sessionFeeYen: 100, milliYenPerMinute: 2_500 };

describe('priceYen', () => {
  it('prices ¥55.5/kWh exactly: 2 kWh = ¥111, 1 kWh = ¥55.5 → ¥56 (half up)', () => {
    expect(priceYen(kwhOnly, 2_000, 0)).toBe(111);
    expect(priceMicroYen(kwhOnly, 1_000, 0)).toBe(55_500_000);
    expect(priceYen(kwhOnly, 1_000, 0)).toBe(56);
  });

  it('rounds once over the whole session, not per component', () => {
    // energy ¥0.555 + time 1 min ¥0.0025·1000=¥2.5 → exact ¥3.055 → ¥3 (per-part rounding would give ¥1 + ¥3 = ¥4)
    const t: Tariff = { milliYenPerKwh: 55_500, sessionFeeYen: 0, milliYenPerMinute: 2_500 };
    expect(priceMicroYen(t, 10, 60_000)).toBe(3_055_000);
    expect(priceYen(t, 10, 60_000)).toBe(3);
  });

  it('adds the session fee and counts every started minute', () => {
    expect(startedMinutes(0)).toBe(0);
    expect(startedMinutes(1)).toBe(1);
    expect(startedMinutes(60_000)).toBe(1);
    expect(startedMinutes(61_000)).toBe(2);
    // 2 kWh ¥111 + 2 min ¥5 + fee ¥100
    expect(priceYen(full, 2_000, 61_000)).toBe(216);
  });

  it('rounds half up at exactly half a yen', () => {
    expect(roundMicroYen(12_500_000)).toBe(13);
    expect(roundMicroYen(12_499_999)).toBe(12);
    expect(roundMicroYen(0)).toBe(0);
  });

  it('refuses fractional or negative energy and amounts beyond exact integers', () => {
    expect(() => priceYen(kwhOnly, 1.5, 0)).toThrow(RangeError);
    expect(() => priceYen(kwhOnly, -1, 0)).toThrow(RangeError);
    expect(() => priceYen({ ...kwhOnly, milliYenPerKwh: 2 ** 40 }, 2 ** 20, 0)).toThrow(RangeError);
  });
});

describe('energy and duration', () => {
  it('takes energy from the register, never below zero', () => {
    expect(energyBetween(1_000, 3_500)).toBe(2_500);
    expect(energyBetween(3_500, 1_000)).toBe(0);
  });

  it('measures duration between two instants, 0 without a start', () => {
    expect(durationMs('2026-01-01T00:00:00Z', '2026-01-01T00:01:30Z')).toBe(90_000);
    expect(durationMs(undefined, '2026-01-01T00:01:30Z')).toBe(0);
    expect(durationMs('2026-01-01T00:02:00Z', '2026-01-01T00:01:00Z')).toBe(0);
  });
});

describe('exposure cap', () => {
  it('is reached at the Wh cap or at the yen cap, whichever first', () => {
    expect(exposureReached(undefined, full, 10_000_000, 0)).toBe(false);
    expect(exposureReached({ maxWh: 5_000 }, kwhOnly, 4_999, 0)).toBe(false);
    expect(exposureReached({ maxWh: 5_000 }, kwhOnly, 5_000, 0)).toBe(true);
    expect(exposureReached({ maxYen: 111 }, kwhOnly, 1_990, 0)).toBe(false);
    expect(exposureReached({ maxYen: 111 }, kwhOnly, 2_000, 0)).toBe(true);
    expect(exposureReached({ maxYen: 300 }, full, 0, 60 * 60_000)).toBe(false); // ¥100 fee + 60 min × ¥2.5
    expect(exposureReached({ maxYen: 250 }, full, 0, 60 * 60_000)).toBe(true);
  });

  it('tells the station how many Wh the cap allows', () => {
    expect(capToMaxWh(undefined, kwhOnly)).toBeUndefined();
    expect(capToMaxWh({}, kwhOnly)).toBeUndefined();
    expect(capToMaxWh({ maxWh: 7_000 }, kwhOnly)).toBe(7_000);
    expect(capToMaxWh({ maxYen: 111 }, kwhOnly)).toBe(2_000);
    expect(capToMaxWh({ maxYen: 211, maxWh: 1_500 }, full)).toBe(1_500);
    expect(capToMaxWh({ maxYen: 50 }, full)).toBe(0);
    expect(capToMaxWh({ maxYen: 50 }, { ...kwhOnly, milliYenPerKwh: 0 })).toBeUndefined();
  });
});
