import { describe, expect, it } from 'vitest';
import { appendSample, niceCeil, scalePowerChart } from '../../../web/src/lib/power-chart-scale.js';

const box = { width: 100, height: 50 };

describe('niceCeil', () => {
  it('rounds up to 1, 2, 2.5, 5 times a power of ten', () => {
    expect([0.4, 1, 1.1, 2.2, 3, 6, 7.4, 11, 22].map(niceCeil)).toEqual([0.5, 1, 2, 2.5, 5, 10, 10, 20, 25]);
  });
  it('gives 1 for zero, negatives and NaN', () => {
    expect([0, -3, Number.NaN].map(niceCeil)).toEqual([1, 1, 1]);
  });
});

describe('scalePowerChart', () => {
  it('scales the y axis to the station rating so a 3 kW outlet fills a 5 kW chart', () => {
    const geometry = scalePowerChart([{ atMs: 50, watts: 2_500 }], { nowMs: 100, windowMs: 100, ratedW: 3_000, box });
    expect(geometry.maxKw).toBe(5);
    expect(geometry.linePath).toBe('M50,25H100');
    expect(geometry.areaPath).toBe('M50,25H100V50H50Z');
  });

  it('draws readings as steps held until the next report', () => {
    const samples = [
      { atMs: 0, watts: 0 },
      { atMs: 50, watts: 5_000 },
      { atMs: 75, watts: 2_500 },
    ];
    const { linePath } = scalePowerChart(samples, { nowMs: 100, windowMs: 100, ratedW: 5_000, box });
    expect(linePath).toBe('M0,50H50V0H75V25H100');
  });

  it('starts at the reading in force when the window opens and drops older ones', () => {
    const samples = [
      { atMs: 0, watts: 1_000 },
      { atMs: 10, watts: 4_000 },
      { atMs: 80, watts: 2_000 },
    ];
    const { linePath } = scalePowerChart(samples, { nowMs: 120, windowMs: 100, ratedW: 4_000, box });
    expect(linePath).toBe('M0,10H60V30H100');
  });

  it('grows the axis when a reading exceeds the rating', () => {
    const { maxKw } = scalePowerChart([{ atMs: 90, watts: 7_200 }], { nowMs: 100, windowMs: 100, ratedW: 6_000, box });
    expect(maxKw).toBe(10);
  });

  it('places grid lines from the baseline to the top', () => {
    const { gridLines } = scalePowerChart([], { nowMs: 100, windowMs: 100, ratedW: 6_000, box, gridCount: 2 });
    expect(gridLines).toEqual([
      { kw: 0, y: 50 },
      { kw: 5, y: 25 },
      { kw: 10, y: 0 },
    ]);
  });

  it('draws nothing without samples', () => {
    const geometry = scalePowerChart([], { nowMs: 100, windowMs: 100, ratedW: 3_000, box });
    expect(geometry.linePath).toBe('');
    expect(geometry.areaPath).toBe('');
  });
});

describe('appendSample', () => {
  it('keeps the series ordered and ignores late readings', () => {
    const series = appendSample([{ atMs: 10, watts: 1 }], { atMs: 5, watts: 9 }, 10);
    expect(series).toEqual([{ atMs: 10, watts: 1 }]);
  });
  it('replaces a reading with the same timestamp', () => {
    const series = appendSample([{ atMs: 10, watts: 1 }], { atMs: 10, watts: 2 }, 10);
    expect(series).toEqual([{ atMs: 10, watts: 2 }]);
  });
  it('keeps at most maxSamples, dropping the oldest', () => {
    let series: { atMs: number; watts: number }[] = [];
    for (let i = 0; i < 5; i++) series = appendSample(series, { atMs: i, watts: i }, 3);
    expect(series.map((s) => s.atMs)).toEqual([2, 3, 4]);
  });
  it('ignores non-finite values', () => {
    expect(appendSample([], { atMs: Number.NaN, watts: 1 }, 3)).toEqual([]);
  });
});
