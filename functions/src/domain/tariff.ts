/**
 * Tariff: all money is integer. Fractional yen per kWh are stored exactly as milli-yen
 * (¥55.5/kWh = 55_500 milli-yen per kWh).
 */
export interface Tariff {
  /** Price per kWh in milli-yen. */
  milliYenPerKwh: number;
  /** Flat fee per session in yen (0 when none). */
  sessionFeeYen: number;
  /** Fee per started minute of charging in milli-yen (0 when none). */
  milliYenPerMinute: number;
}
