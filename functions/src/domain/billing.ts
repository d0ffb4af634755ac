/**
 * The processor's minimum for JPY is ¥50. A session whose amount plus the driver's carried balance
 * is below it is CARRIED_OVER (its amount joins the balance); otherwise the card is charged for the
 * amount plus the whole balance, and the balance drops to zero. Every yen ends up either charged or
 * in the balance: Σ amounts = Σ charged + balance.
 */
export const MIN_CHARGE_YEN = 50;

export type BillingDecision =
  | { kind: 'carry'; amountYen: number; balanceAfterYen: number }
  | { kind: 'charge'; amountYen: number; carriedInYen: number; chargeYen: number; balanceAfterYen: 0 };

export function decideBilling(amountYen: number, balanceYen: number): BillingDecision {
  if (!Number.isSafeInteger(amountYen) || amountYen < 0) throw new RangeError('amountYen must be a whole number ≥ 0');
  if (!Number.isSafeInteger(balanceYen) || balanceYen < 0)
    throw new RangeError('balanceYen must be a whole number ≥ 0');
  const total = amountYen + balanceYen;
  if (total < MIN_CHARGE_YEN) return { kind: 'carry', amountYen, balanceAfterYen: total };
  return { kind: 'charge', amountYen, carriedInYen: balanceYen, chargeYen: total, balanceAfterYen: 0 };
}

export const chargeIdempotencyKey = (sessionId: string, attempt: number): string => `charge:${sessionId}:${attempt}`;
