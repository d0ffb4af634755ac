import { describe, expect, it } from 'vitest';
import { ChargePoint } from '../../../firmware-sim/src/charge-point.js';
import { EvBattery } from '../../../firmware-sim/src/ev-battery.js';
import { Meter } from '../../../firmware-sim/src/meter.js';
import { seededRng } from '../../../firmware-sim/src/rng.js';
import { parsePreset } from '../../../firmware-sim/src/station-spec.js';

const HOUR = 3_600_000;

function point(preset: string, ev?: EvBattery, meter = new Meter(seededRng(1))) {
  const cp = new ChargePoint(parsePreset(preset), meter, 0);
  cp.ev = ev ?? null;
  return cp;
}

describe('station models', () => {
  it('parses the named presets and any configurable AC charger', () => {
    expect(parsePreset('breaker-100v-1.5kw')).toMatchObject({ model: 'breaker', voltageV: 100, ratedW: 1500 });
    expect(parsePreset('breaker-200v-3kw')).toMatchObject({ model: 'breaker', voltageV: 200, ratedW: 3000 });
    expect(parsePreset('mode3-200v-6kw')).toMatchObject({ model: 'mode3', voltageV: 200, ratedW: 6000 });
    expect(parsePreset('mode3-200v-7.4kw')).toMatchObject({ model: 'mode3', ratedW: 7400 });
    expect(() => parsePreset('tesla-400v-11kw')).toThrow(/unknown station model/);
  });

  it('gives a breaker-only outlet no pilot and walks a Mode-3 pilot through A, B and C', () => {
    expect(point('breaker-200v-3kw').pilot()).toBeNull();
    const cp = point('mode3-200v-6kw');
    expect(cp.pilot()).toBe('A');
    cp.ev = new EvBattery({ capacityWh: 40_000, socPct: 20, maxAcceptW: 6_000 });
    expect(cp.pilot()).toBe('B');
    cp.breaker = 'closed';
    expect(cp.pilot()).toBe('C');
    cp.powered = false;
    expect(cp.pilot()).toBe('E');
  });
});

describe('EV battery', () => {
  it('draws the outlet rating below the taper point and less and less above it', () => {
    const ev = new EvBattery({ capacityWh: 40_000, socPct: 50, maxAcceptW: 6_600 });
    expect(ev.acceptW(3_000)).toBe(3_000);
    const tapered = new EvBattery({ capacityWh: 40_000, socPct: 90, maxAcceptW: 6_000 });
    expect(tapered.acceptW(6_000)).toBeCloseTo(3_000, 5);
    const full = new EvBattery({ capacityWh: 40_000, socPct: 100, maxAcceptW: 6_000 });
    expect(full.acceptW(6_000)).toBe(0);
  });

  it('charges to full and then stops drawing, ending in pilot state B', () => {
    const ev = new EvBattery({ capacityWh: 10_000, socPct: 70, maxAcceptW: 6_000 });
    const cp = point('mode3-200v-6kw', ev);
    cp.breaker = 'closed';
    cp.advanceTo(10 * HOUR);
    expect(ev.full).toBe(true);
    expect(cp.flowingW()).toBe(0);
    expect(cp.pilot()).toBe('B');
    // 30 % of 10 kWh through a 92 %-efficient charger
    expect(cp.deliveredWh).toBeCloseTo(3_000 / 0.92, 0);
  });
});

describe('meter register', () => {
  it('counts integer Wh exactly for steady power', () => {
    const cp = point('breaker-200v-3kw', new EvBattery({ capacityWh: 100_000, socPct: 0, maxAcceptW: 7_000 }));
    cp.breaker = 'closed';
    cp.advanceTo(HOUR);
    expect(cp.meter.registerWh).toBe(3_000);
    expect(Number.isInteger(cp.meter.registerWh)).toBe(true);
  });

  it('steps in its resolution, runs fast with drift and stays monotonic under noise', () => {
    const meter = new Meter(seededRng(7), { resolutionWh: 10, noisePct: 5, driftPct: 2 });
    const cp = point('breaker-200v-6kw', new EvBattery({ capacityWh: 100_000, socPct: 0, maxAcceptW: 7_000 }), meter);
    cp.breaker = 'closed';
    let last = 0;
    for (let t = 60_000; t <= HOUR; t += 60_000) {
      cp.advanceTo(t);
      const r = meter.registerWh;
      expect(r % 10).toBe(0);
      expect(r).toBeGreaterThanOrEqual(last);
      last = r;
    }
    expect(last).toBeGreaterThan(6_000 * 1.02 * 0.97);
    expect(last).toBeLessThan(6_000 * 1.02 * 1.03);
  });

  it('wraps to zero at its rollover point and can be reset, stepped back or swapped', () => {
    const meter = new Meter(seededRng(1), { rolloverWh: 1_000_000, startWh: 999_990 });
    const cp = point('breaker-200v-3kw', new EvBattery({ capacityWh: 100_000, socPct: 0, maxAcceptW: 7_000 }), meter);
    cp.breaker = 'closed';
    cp.advanceTo(60_000); // +50 Wh
    expect(meter.registerWh).toBe(40);
    meter.stepBackwards(15);
    expect(meter.registerWh).toBe(25);
    meter.swap('M-2', 12_345);
    expect([meter.serial, meter.registerWh]).toEqual(['M-2', 12_345]);
    meter.reset();
    expect(meter.registerWh).toBe(0);
  });
});

describe('caps', () => {
  it('stops exactly at an energy cap and reports when', () => {
    const cp = point('breaker-200v-6kw', new EvBattery({ capacityWh: 100_000, socPct: 0, maxAcceptW: 7_000 }));
    cp.breaker = 'closed';
    const hit = cp.advanceTo(HOUR, [{ id: 'e', deliveredWh: 500 }]);
    expect(hit).toEqual({ capId: 'e', atMs: 300_000 });
    expect(cp.meter.registerWh).toBe(500);
  });

  it('stops exactly at a deadline', () => {
    const cp = point('breaker-200v-3kw', new EvBattery({ capacityWh: 100_000, socPct: 0, maxAcceptW: 7_000 }));
    cp.breaker = 'closed';
    expect(cp.advanceTo(HOUR, [{ id: 't', deadlineMs: 120_000 }])).toEqual({ capId: 't', atMs: 120_000 });
    expect(cp.meter.registerWh).toBe(100);
  });
});
