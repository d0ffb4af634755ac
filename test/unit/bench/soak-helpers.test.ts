import { describe, expect, it } from 'vitest';
import {
  classify,
  DEFAULT_FAULT_DURATION_MS,
  exposuresOf,
  type FaultWindow,
  planFaults,
  type SessionSpan,
  SOAK_FAULT_KINDS,
} from '../../bench/soak/fault-plan.js';
import { rssGrowth } from '../../bench/soak/rss.js';

const MB = 1024 * 1024;

describe('planFaults', () => {
  it('is a function of the seed: the same seed gives the same plan, another seed another', () => {
    const a = planFaults({ seed: 7, durationMs: 600_000, perMinute: 6 });
    expect(planFaults({ seed: 7, durationMs: 600_000, perMinute: 6 })).toEqual(a);
    expect(planFaults({ seed: 8, durationMs: 600_000, perMinute: 6 })).not.toEqual(a);
  });

  it('spreads faults over the run at about the asked rate, in time order, every kind drawn', () => {
    const plan = planFaults({ seed: 1, durationMs: 3_600_000, perMinute: 6 });
    expect(plan.length).toBeGreaterThan(300); // mean 360 over an hour
    expect(plan.length).toBeLessThan(420);
    expect(plan.every((f, i) => i === 0 || f.atMs >= (plan[i - 1]?.atMs ?? 0))).toBe(true);
    expect(plan.every((f) => f.atMs >= 0 && f.atMs < 3_600_000)).toBe(true);
    expect(new Set(plan.map((f) => f.kind))).toEqual(new Set(SOAK_FAULT_KINDS));
    for (const f of plan) {
      expect(f.durationMs).toBe(DEFAULT_FAULT_DURATION_MS[f.kind]);
      expect(f.pick).toBeGreaterThanOrEqual(0);
      expect(f.pick).toBeLessThan(1);
    }
  });

  it('keeps to the kinds asked for, and plans nothing at rate 0', () => {
    const plan = planFaults({ seed: 3, durationMs: 600_000, perMinute: 10, kinds: ['stripe5xx'] });
    expect(plan.length).toBeGreaterThan(0);
    expect(plan.every((f) => f.kind === 'stripe5xx')).toBe(true);
    expect(planFaults({ seed: 3, durationMs: 600_000, perMinute: 0 })).toEqual([]);
  });
});

describe('exposure and classification', () => {
  const span: SessionSpan = { sessionId: 's1', stationId: 'ST-1', fromMs: 1_000, stopMs: 5_000, toMs: 6_000 };
  const w = (id: number, over: Partial<FaultWindow>): FaultWindow => ({
    id,
    kind: 'ackDrop',
    fromMs: 0,
    toMs: 0,
    ...over,
  });

  it('a station fault touches sessions on that station that overlap it, and no other station', () => {
    expect(exposuresOf(span, [w(1, { stationId: 'ST-1', fromMs: 500, toMs: 1_200 })])).toHaveLength(1);
    expect(exposuresOf(span, [w(2, { stationId: 'ST-1', fromMs: 6_001, toMs: 9_000 })])).toHaveLength(0);
    expect(exposuresOf(span, [w(3, { stationId: 'ST-2', fromMs: 0, toMs: 9_000 })])).toHaveLength(0);
  });

  it('a processor fault touches only the payment phase (from the stop on)', () => {
    const stripe = (id: number, fromMs: number, toMs: number) => w(id, { kind: 'stripe5xx', fromMs, toMs });
    expect(exposuresOf(span, [stripe(1, 2_000, 4_000)])).toHaveLength(0); // while charging
    expect(exposuresOf(span, [stripe(2, 4_000, 5_000)])).toHaveLength(1);
    expect(exposuresOf(span, [stripe(3, 5_500, Number.POSITIVE_INFINITY)])).toHaveLength(1);
    expect(exposuresOf({ ...span, stopMs: undefined }, [stripe(4, 0, 9_000)])).toHaveLength(0);
  });

  it('anomalies on exposed sessions or stations are injected; the rest are unexplained', () => {
    const windows = [
      w(1, { stationId: 'ST-1', fromMs: 0, toMs: 2_000 }),
      w(2, { stationId: 'ST-9', fromMs: 0, toMs: 1 }),
    ];
    const spans = new Map([
      ['s1', span],
      ['s2', { ...span, sessionId: 's2', stationId: 'ST-2' }],
    ]);
    const out = classify(
      [
        { kind: 'DRIVER_SAW_FAILURE', subject: 's1', sessionId: 's1', detail: '' },
        { kind: 'SESSION_STUCK', subject: 's2', sessionId: 's2', detail: '' },
        { kind: 'HARDWARE_BREAKER_CLOSED', subject: 'ST-9', stationId: 'ST-9', detail: '' },
        { kind: 'CHARGED_NOT_RECORDED', subject: 'pi_1', detail: '' },
      ],
      spans,
      windows,
    );
    expect(out.injected.map((a) => [a.subject, a.faults])).toEqual([
      ['s1', ['ackDrop#1']],
      ['ST-9', ['ackDrop#2']],
    ]);
    expect(out.unexplained.map((a) => a.subject)).toEqual(['s2', 'pi_1']);
  });
});

describe('rssGrowth', () => {
  const samples = (mbs: number[]) => mbs.map((mb, i) => ({ tMs: i * 10_000, rssBytes: mb * MB }));

  it('compares the mean of the first samples after the warm-up with the mean of the last', () => {
    // warm-up = first 20 s: samples at 0 and 10 s are ignored
    const g = rssGrowth(samples([50, 80, 100, 102, 98, 105, 110, 115]), 20_000);
    expect(g).toEqual({ warmMb: 100, endMb: 110, growthPct: 10, samples: 6 });
  });

  it('uses single samples when there are few, and gives up with fewer than two', () => {
    expect(rssGrowth(samples([100, 120]), 0)).toEqual({ warmMb: 100, endMb: 120, growthPct: 20, samples: 2 });
    expect(rssGrowth(samples([100, 120]), 10_000)).toBeNull();
  });
});
