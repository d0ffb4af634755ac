/**
 * Test-card behaviour as Stripe documents it (numbers and `pm_card_*` aliases), evaluated for
 * setup (SetupIntent confirmation) and payment (PaymentIntent confirmation).
 */
import { sha256Hex } from './ids.js';

export type CardBehaviour =
  | 'ok'
  | 'auth_on_setup'
  | 'always_auth'
  | 'attach_then_decline'
  | 'insufficient_funds'
  | 'auth_then_insufficient'
  | 'generic_decline';

const TEST_CARDS: Record<string, CardBehaviour> = {
  '4242424242424242': 'ok',
  '5555555555554444': 'ok',
  '4000002500003155': 'auth_on_setup',
  '4000002760003184': 'always_auth',
  '4000000000000341': 'attach_then_decline',
  '4000000000009995': 'insufficient_funds',
  '4000008260003178': 'auth_then_insufficient',
  '4000000000000002': 'generic_decline',
};

/** Stripe's test PaymentMethod ids; attaching one creates a new PaymentMethod with that card. */
export const TEST_PAYMENT_METHODS: Record<string, string> = {
  pm_card_visa: '4242424242424242',
  pm_card_mastercard: '5555555555554444',
  pm_card_authenticationRequiredOnSetup: '4000002500003155',
  pm_card_authenticationRequired: '4000002760003184',
  pm_card_chargeCustomerFail: '4000000000000341',
  pm_card_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_authenticationRequiredChargeDeclinedInsufficientFunds: '4000008260003178',
  pm_card_chargeDeclined: '4000000000000002',
};

export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export interface CardFacts {
  behaviour: CardBehaviour;
  brand: string;
  last4: string;
  fingerprint: string;
}

/** undefined when the number is not a card number (Stripe: `incorrect_number`). */
export function cardFacts(rawNumber: string): CardFacts | undefined {
  const digits = rawNumber.replace(/[\s-]/g, '');
  if (!luhnValid(digits)) return undefined;
  const brand = digits.startsWith('4')
    ? 'visa'
    : /^5[1-5]/.test(digits)
      ? 'mastercard'
      : /^3[47]/.test(digits)
        ? 'amex'
        : /^35/.test(digits)
          ? 'jcb'
          : 'unknown';
  return {
    behaviour: TEST_CARDS[digits] ?? 'ok',
    brand,
    last4: digits.slice(-4),
    fingerprint: sha256Hex(`fp:${digits}`).slice(0, 16),
  };
}

export type Decision =
  | { kind: 'ok' }
  | { kind: 'challenge' }
  | { kind: 'decline'; code: string; declineCode: string; message: string };

const DECLINED = {
  kind: 'decline',
  code: 'card_declined',
  declineCode: 'generic_decline',
  message: 'Your card was declined.',
} as const;
const INSUFFICIENT = {
  kind: 'decline',
  code: 'card_declined',
  declineCode: 'insufficient_funds',
  message: 'Your card has insufficient funds.',
} as const;

export function decideSetup(b: CardBehaviour, authenticated: boolean): Decision {
  if (b === 'generic_decline') return DECLINED;
  const needsChallenge = b === 'auth_on_setup' || b === 'always_auth' || b === 'auth_then_insufficient';
  return needsChallenge && !authenticated ? { kind: 'challenge' } : { kind: 'ok' };
}

/**
 * `authenticated`: the customer completed a challenge for this very confirmation.
 * Off-session, a challenge cannot happen: the caller turns `challenge` into `authentication_required`.
 */
export function decidePayment(
  b: CardBehaviour,
  o: { offSession: boolean; setupAuthenticated: boolean; authenticated: boolean },
): Decision {
  const exempt = o.authenticated || (o.offSession && o.setupAuthenticated);
  switch (b) {
    case 'ok':
      return { kind: 'ok' };
    case 'auth_on_setup':
      return exempt ? { kind: 'ok' } : { kind: 'challenge' };
    case 'always_auth':
      return o.authenticated ? { kind: 'ok' } : { kind: 'challenge' };
    case 'attach_then_decline':
    case 'generic_decline':
      return DECLINED;
    case 'insufficient_funds':
      return INSUFFICIENT;
    case 'auth_then_insufficient':
      return exempt ? INSUFFICIENT : { kind: 'challenge' };
  }
}
