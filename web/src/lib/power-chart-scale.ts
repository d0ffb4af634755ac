/**
 * Geometry for the live power chart (kW over time), kept pure so scaling is tested without a DOM.
 * Power is drawn as steps: a meter report holds until the next one, so a sloped line would invent
 * readings that never happened.
 */

export interface PowerSample {
  atMs: number;
  watts: number;
}

export interface ChartBox {
  width: number;
  height: number;
}

export interface PowerChartGeometry {
  /** Stepped line through the samples, held to `nowMs`; empty when there is nothing to draw. */
  linePath: string;
  /** The same line closed down to the baseline, for a filled area. */
  areaPath: string;
  /** Top of the y axis in kW (a "nice" number ≥ the rating and every sample). */
  maxKw: number;
  /** Horizontal grid lines: value in kW and y position. */
  gridLines: { kw: number; y: number }[];
}

const NICE_STEPS = [1, 2, 2.5, 5, 10];

/** Smallest "nice" number (1, 2, 2.5, 5 × 10ⁿ) ≥ value; 1 for anything ≤ 0. */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of NICE_STEPS) {
    const candidate = step * magnitude;
    if (candidate >= value - 1e-9) return candidate;
  }
  return 10 * magnitude;
}

/**
 * Adds a sample keeping the series time-ordered and bounded: an out-of-order or duplicate report
 * (subscriptions and polling can both deliver one) replaces nothing older than the newest point.
 */
export function appendSample(samples: readonly PowerSample[], sample: PowerSample, maxSamples: number): PowerSample[] {
  if (!Number.isFinite(sample.atMs) || !Number.isFinite(sample.watts)) return [...samples];
  const last = samples[samples.length - 1];
  if (last && sample.atMs < last.atMs) return [...samples];
  const base = last && sample.atMs === last.atMs ? samples.slice(0, -1) : samples;
  const next = [...base, sample];
  return next.length > maxSamples ? next.slice(next.length - maxSamples) : next;
}

const round1 = (n: number): string => (Math.round(n * 10) / 10).toString();

export function scalePowerChart(
  samples: readonly PowerSample[],
  options: { nowMs: number; windowMs: number; ratedW: number; box: ChartBox; gridCount?: number },
): PowerChartGeometry {
  const { nowMs, windowMs, ratedW, box } = options;
  const startMs = nowMs - windowMs;
  const sorted = [...samples].sort((a, b) => a.atMs - b.atMs);
  // The reading in force when the window opens still shapes its left edge.
  const before = sorted.filter((s) => s.atMs <= startMs).at(-1);
  const inside = sorted.filter((s) => s.atMs > startMs && s.atMs <= nowMs);
  const visible = before ? [{ atMs: startMs, watts: before.watts }, ...inside] : inside;

  const peakW = Math.max(ratedW, ...visible.map((s) => s.watts), 0);
  const maxKw = niceCeil(peakW / 1000);
  const maxW = maxKw * 1000;
  const x = (atMs: number): number => ((atMs - startMs) / windowMs) * box.width;
  const y = (watts: number): number => box.height - (Math.min(Math.max(watts, 0), maxW) / maxW) * box.height;

  const gridCount = options.gridCount ?? 4;
  const gridLines = Array.from({ length: gridCount + 1 }, (_, i) => {
    const kw = (maxKw * i) / gridCount;
    return { kw, y: y(kw * 1000) };
  });

  const first = visible[0];
  if (!first) return { linePath: '', areaPath: '', maxKw, gridLines };

  const parts = [`M${round1(x(first.atMs))},${round1(y(first.watts))}`];
  for (const sample of visible.slice(1)) {
    parts.push(`H${round1(x(sample.atMs))}`, `V${round1(y(sample.watts))}`);
  }
  parts.push(`H${round1(x(nowMs))}`);
  const linePath = parts.join('');
  const areaPath = `${linePath}V${round1(box.height)}H${round1(x(first.atMs))}Z`;
  return { linePath, areaPath, maxKw, gridLines };
}
