import type { BreakerPosition, PilotState } from '../../contracts/station-protocol.js';
import type { EvBattery } from './ev-battery.js';
import type { Meter } from './meter.js';
import type { StationSpec } from './station-spec.js';

/** A limit the firmware enforces itself: a target of delivered energy and/or a wall-clock deadline. */
export interface Cap {
  id: string;
  /** Stop once `deliveredWh` reaches this absolute value. */
  deliveredWh?: number;
  deadlineMs?: number;
}
export interface CapHit {
  capId: string;
  atMs: number;
}

export type BreakerFault = 'none' | 'failToClose' | 'welded';

/** Sub-step length: short enough that the taper curve and noise look continuous. */
const MAX_STEP_MS = 10_000;

/**
 * The physical side of a station: breaker contacts, the plugged-in EV and the meter, integrated over
 * time. `deliveredWh` counts measured energy independently of the meter register, so energy caps still
 * hold when the register itself is reset, swapped or wraps.
 */
export class ChargePoint {
  breaker: BreakerPosition = 'open';
  breakerFault: BreakerFault = 'none';
  ev: EvBattery | null = null;
  powered = true;
  deliveredWh = 0;
  private lastT: number;

  constructor(
    readonly spec: StationSpec,
    readonly meter: Meter,
    t0: number,
  ) {
    this.lastT = t0;
  }

  get time(): number {
    return this.lastT;
  }

  /** True power flowing through the contacts now. */
  flowingW(): number {
    if (!this.powered || this.breaker === 'open' || !this.ev) return 0;
    return this.ev.acceptW(this.spec.ratedW);
  }

  pilot(): PilotState | null {
    if (this.spec.model === 'breaker') return null;
    if (!this.powered) return 'E';
    if (!this.ev) return 'A';
    return this.flowingW() > 0 ? 'C' : 'B';
  }

  /** A reading for a report: measured power, voltage and current. */
  sample(): { powerW: number; voltageV: number; currentA: number } {
    const powerW = this.meter.readPowerW(this.flowingW());
    const voltageV = this.powered ? this.spec.voltageV : 0;
    return {
      powerW: Math.round(powerW * 10) / 10,
      voltageV,
      currentA: voltageV > 0 ? Math.round((powerW / voltageV) * 100) / 100 : 0,
    };
  }

  /**
   * Integrates up to `t`. Stops early, exactly where the first cap is reached, and returns it; the
   * caller acts on the hit (opens the breaker) and calls again for the rest of the interval.
   */
  advanceTo(t: number, caps: readonly Cap[] = []): CapHit | undefined {
    for (let guard = 0; this.lastT < t && guard < 1_000_000; guard++) {
      const due = this.dueCap(caps);
      if (due) return due;
      let step = Math.min(t - this.lastT, MAX_STEP_MS);
      for (const c of caps) if (c.deadlineMs !== undefined) step = Math.min(step, c.deadlineMs - this.lastT);
      const trueW = this.flowingW();
      const measuredW = trueW > 0 ? this.meter.readPowerW(trueW) : 0;
      if (measuredW > 0) {
        for (const c of caps) {
          if (c.deliveredWh === undefined) continue;
          const ms = Math.ceil(((c.deliveredWh - this.deliveredWh) * 3_600_000) / measuredW);
          step = Math.min(step, Math.max(1, ms));
        }
        const wh = (measuredW * step) / 3_600_000;
        this.meter.integrate(measuredW, step);
        this.deliveredWh += wh;
        this.ev?.absorb(wh);
      }
      this.lastT += step;
    }
    return this.dueCap(caps);
  }

  private dueCap(caps: readonly Cap[]): CapHit | undefined {
    for (const c of caps) {
      const energyHit = c.deliveredWh !== undefined && this.deliveredWh >= c.deliveredWh - 1e-9;
      const timeHit = c.deadlineMs !== undefined && this.lastT >= c.deadlineMs;
      if (energyHit || timeHit) return { capId: c.id, atMs: this.lastT };
    }
    return undefined;
  }
}
