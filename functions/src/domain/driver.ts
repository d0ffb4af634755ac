/** A driver (a confirmed Cognito user) as billing sees them. */
export interface Driver {
  id: string;
  email?: string;
  stripeCustomerId?: string;
  defaultPaymentMethodId?: string;
  cardBrand?: string;
  cardLast4?: string;
  /** Sub-¥50 amounts carried over, not yet charged (yen, ≥ 0). */
  balanceYen: number;
  /** Set after a failed off-session charge; cleared when the outstanding amount is paid. */
  blocked: boolean;
  /** Session whose unpaid amount blocks the driver, if any. */
  blockedBySessionId?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}
