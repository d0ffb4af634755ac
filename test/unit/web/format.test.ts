import { describe, expect, it } from 'vitest';
import {
  formatCardBrand,
  formatDateTime,
  formatElapsed,
  formatKw,
  formatKwh,
  formatMilliYen,
  formatPerKwh,
  formatRating,
  formatTime,
  formatYen,
  kwhDecimals,
  resolveLocale,
} from '../../../web/src/lib/format.js';

describe('formatYen', () => {
  it('writes whole yen with a half-width sign and thousands separators', () => {
    expect(formatYen(1234)).toBe('¥1,234');
    expect(formatYen(0)).toBe('¥0');
    expect(formatYen(1_000_000)).toBe('¥1,000,000');
  });
});

describe('formatMilliYen and formatPerKwh', () => {
  it('keeps fractional yen exactly, without trailing zeros', () => {
    expect(formatMilliYen(55_500)).toBe('¥55.5');
    expect(formatMilliYen(40_000)).toBe('¥40');
    expect(formatMilliYen(1_234)).toBe('¥1.234');
    expect(formatPerKwh(55_500)).toBe('¥55.5/kWh');
  });
});

describe('formatKwh', () => {
  it('shows 10 Wh resolution below 100 kWh', () => {
    expect(kwhDecimals(99_999)).toBe(2);
    expect(formatKwh(0, 'ja-JP')).toBe('0.00 kWh');
    expect(formatKwh(1_234, 'en-US')).toBe('1.23 kWh');
    expect(formatKwh(12_345, 'ja-JP')).toBe('12.35 kWh');
  });
  it('shows 100 Wh resolution from 100 kWh (meter registers)', () => {
    expect(kwhDecimals(100_000)).toBe(1);
    expect(formatKwh(1_234_567, 'en-US')).toBe('1,234.6 kWh');
  });
  it('follows the locale for the decimal separator', () => {
    expect(formatKwh(1_500, 'de-DE')).toBe('1,50 kWh');
  });
});

describe('formatKw and formatRating', () => {
  it('shows live power with one decimal and never below zero', () => {
    expect(formatKw(3_210, 'ja-JP')).toBe('3.2 kW');
    expect(formatKw(0, 'en-US')).toBe('0.0 kW');
    expect(formatKw(-5, 'en-US')).toBe('0.0 kW');
  });
  it('shows ratings without needless decimals', () => {
    expect(formatRating(6_000, 'ja-JP')).toBe('6 kW');
    expect(formatRating(3_200, 'en-US')).toBe('3.2 kW');
  });
});

describe('formatCardBrand', () => {
  it('shows the name printed on the card for Stripe brand ids, whatever their case', () => {
    expect(formatCardBrand('visa')).toBe('Visa');
    expect(formatCardBrand('mastercard')).toBe('Mastercard');
    expect(formatCardBrand('amex')).toBe('American Express');
    expect(formatCardBrand('JCB')).toBe('JCB');
    expect(formatCardBrand('Diners')).toBe('Diners Club');
  });
  it('shows an unknown brand id as given', () => {
    expect(formatCardBrand('cartes_bancaires')).toBe('cartes_bancaires');
    expect(formatCardBrand('unknown')).toBe('unknown');
  });
});

describe('formatElapsed', () => {
  it('uses m:ss below an hour and h:mm:ss from an hour', () => {
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(65_000)).toBe('1:05');
    expect(formatElapsed(3_600_000 + 2 * 60_000 + 3_000)).toBe('1:02:03');
  });
  it('treats negative durations (clock skew) as zero', () => {
    expect(formatElapsed(-10_000)).toBe('0:00');
  });
});

describe('formatDateTime and formatTime', () => {
  const iso = '2025-03-04T05:06:00Z';
  it('renders in the driver locale and time zone', () => {
    expect(formatDateTime(iso, 'ja-JP', 'Asia/Tokyo')).toBe('2025/03/04 14:06');
    expect(formatTime(iso, 'en-US', 'Asia/Tokyo')).toBe('2:06 PM');
  });
  it('returns the raw text when it is not a date', () => {
    expect(formatDateTime('not a date', 'ja-JP')).toBe('not a date');
  });
});

describe('resolveLocale', () => {
  it('prefers the browser language matching the chosen UI language', () => {
    expect(resolveLocale('en', ['ja-JP', 'en-GB'])).toBe('en-GB');
    expect(resolveLocale('ja', ['ja', 'en-US'])).toBe('ja');
  });
  it('falls back to a default per language', () => {
    expect(resolveLocale('en', ['ja-JP'])).toBe('en-US');
    expect(resolveLocale('ja', [])).toBe('ja-JP');
  });
});
