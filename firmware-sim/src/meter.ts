import { gaussian, type Rng } from './rng.js';

/**
 * An energy meter with an integer Wh register. The register only moves forward under normal
 * operation (it counts measured energy); the fault methods model what real meters do wrong so the
 * backend can be tested against it: reset to zero, wrap at the display limit, step backwards, or be
 * replaced by a unit with a different serial and register.
 */
export interface MeterOptions {
  /** Register step in Wh (a 0.01 kWh display counts in 10 Wh). */
  resolutionWh?: number;
  /** Std deviation of the instantaneous power reading, in % of the true value. */
  noisePct?: number;
  /** Systematic error: the register runs fast (+) or slow (−) by this %. */
  driftPct?: number;
  startWh?: number;
  /** The register wraps to 0 here (a 6-digit kWh display wraps at 10^9 Wh). */
  rolloverWh?: number;
  serial?: string;
}

export class Meter {
  private accWh: number;
  private readonly resolution: number;
  private readonly noise: number;
  private readonly drift: number;
  readonly rolloverWh: number;
  serial: string;

  constructor(
    private readonly rng: Rng,
    o: MeterOptions = {},
  ) {
    this.resolution = Math.max(1, Math.trunc(o.resolutionWh ?? 1));
    this.noise = (o.noisePct ?? 0) / 100;
    this.drift = (o.driftPct ?? 0) / 100;
    this.rolloverWh = o.rolloverWh ?? 1_000_000_000;
    this.accWh = o.startWh ?? 0;
    this.serial = o.serial ?? 'M-0001';
  }

  get registerWh(): number {
    // The epsilon keeps float sums such as 12 × 8.333… Wh from reading one Wh short.
    const stepped = Math.floor(this.accWh / this.resolution + 1e-9) * this.resolution;
    return ((stepped % this.rolloverWh) + this.rolloverWh) % this.rolloverWh;
  }

  /** Reads instantaneous power: the true value with measurement noise, never negative. */
  readPowerW(trueW: number): number {
    if (trueW <= 0) return 0;
    if (this.noise === 0) return trueW;
    return Math.max(0, trueW * (1 + this.noise * gaussian(this.rng)));
  }

  /** Counts `measuredW` flowing for `dtMs`. */
  integrate(measuredW: number, dtMs: number): void {
    if (measuredW <= 0 || dtMs <= 0) return;
    this.accWh += (measuredW * (1 + this.drift) * dtMs) / 3_600_000;
  }

  reset(): void {
    this.accWh = 0;
  }

  /** Puts the register `beforeWrapWh` below its wrap point. */
  nearRollover(beforeWrapWh = 5): void {
    this.accWh = this.rolloverWh - beforeWrapWh;
  }

  stepBackwards(wh: number): void {
    this.accWh = Math.max(0, this.accWh - wh);
  }

  swap(serial: string, startWh: number): void {
    this.serial = serial;
    this.accWh = startWh;
  }
}
