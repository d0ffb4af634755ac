/**
 * The EV's side of a charge: how much AC power its on-board charger accepts at the present state of
 * charge. Constant up to `taperFromPct`, then falling linearly to `minTaperPct` of the maximum at 100 %,
 * which is the shape Li-ion CC/CV charging shows at the wall.
 */
export interface EvBatteryOptions {
  capacityWh: number;
  socPct: number;
  /** On-board charger limit (W); the outlet's rating may be lower. */
  maxAcceptW: number;
  taperFromPct?: number;
  minTaperPct?: number;
  /** Fraction of metered AC energy that reaches the battery. */
  efficiency?: number;
}

export class EvBattery {
  readonly capacityWh: number;
  readonly maxAcceptW: number;
  private soc: number;
  private readonly taperFrom: number;
  private readonly minTaper: number;
  private readonly efficiency: number;

  constructor(o: EvBatteryOptions) {
    if (o.capacityWh <= 0 || o.maxAcceptW <= 0) throw new RangeError('EV capacity and charger limit must be positive');
    this.capacityWh = o.capacityWh;
    this.maxAcceptW = o.maxAcceptW;
    this.soc = Math.min(100, Math.max(0, o.socPct));
    this.taperFrom = o.taperFromPct ?? 80;
    this.minTaper = (o.minTaperPct ?? 5) / 100;
    this.efficiency = o.efficiency ?? 0.92;
  }

  get socPct(): number {
    return this.soc;
  }

  get full(): boolean {
    return this.soc >= 100;
  }

  /** Power (W) the EV draws when offered `offeredW`. */
  acceptW(offeredW: number): number {
    if (this.full) return 0;
    let limit = this.maxAcceptW;
    if (this.soc > this.taperFrom) {
      const left = (100 - this.soc) / (100 - this.taperFrom);
      limit = this.maxAcceptW * Math.max(this.minTaper, left);
    }
    return Math.max(0, Math.min(offeredW, limit));
  }

  /** Stores `acWh` of metered energy (less conversion losses). */
  absorb(acWh: number): void {
    this.soc = Math.min(100, this.soc + ((acWh * this.efficiency) / this.capacityWh) * 100);
  }
}
