/** Memory over a long run: RSS sampled every few seconds, growth judged only after the warm-up. */
import { readFileSync } from 'node:fs';

export interface RssSample {
  /** Since the start of the measured loop. */
  tMs: number;
  rssBytes: number;
}

export interface RssGrowth {
  warmMb: number;
  endMb: number;
  growthPct: number;
  samples: number;
}

const MB = 1024 * 1024;
const round1 = (x: number): number => Math.round(x * 10) / 10;
const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/**
 * Growth from just after the warm-up to the end. Each end is the mean of `edge` samples, so one GC
 * landing next to a sample does not decide the figure; with fewer than 2 × edge samples after the
 * warm-up, the first and the last are used alone. Null with fewer than two samples after it.
 */
export function rssGrowth(samples: readonly RssSample[], warmupMs: number, edge = 3): RssGrowth | null {
  const after = samples.filter((s) => s.tMs >= warmupMs).map((s) => s.rssBytes);
  if (after.length < 2) return null;
  const n = after.length >= 2 * edge ? edge : 1;
  const warm = mean(after.slice(0, n)) / MB;
  const end = mean(after.slice(-n)) / MB;
  return {
    warmMb: round1(warm),
    endMb: round1(end),
    growthPct: round1(((end - warm) / warm) * 100),
    samples: after.length,
  };
}

/** Resident set of another process (the DynamoDB Local JVM), from /proc; undefined elsewhere. */
export function rssOfPid(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
