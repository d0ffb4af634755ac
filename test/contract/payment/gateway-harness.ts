/** What the PaymentGateway contract suite needs from a backend (the emulator or Stripe test mode). */
import type Stripe from 'stripe';
import type { PaymentGateway } from '../../../functions/src/ports/payment-gateway.port.js';
import type { HostedCheckoutResult } from '../../../infra/local/stripe/index.js';

export interface GatewayHarness {
  name: string;
  gateway: PaymentGateway;
  /** The raw SDK client on the same backend, for assertions the port does not expose. */
  stripe: Stripe;
  /**
   * Drives a hosted Checkout page without a browser; absent where that cannot be done (Stripe's
   * real page needs a browser), and the suite then saves cards with `pm_card_*` test ids instead.
   */
  payHosted?: (url: string, card: string, authenticate?: 'complete' | 'fail') => Promise<HostedCheckoutResult>;
  close(): Promise<void>;
}

export interface TestCard {
  number: string;
  /** Stripe's test PaymentMethod id for the same card. */
  pm: string;
  label: string;
  /** Saving it asks for a 3DS challenge. */
  challengeOnSetup: boolean;
  offSession:
    | { kind: 'succeeded' }
    | { kind: 'action_required' }
    | { kind: 'declined'; code: string; declineCode: string };
  /** Its off-session result holds on Stripe only after a SetupIntent (hosted page) saved it. */
  needsRealSetup: boolean;
}

export const TEST_CARDS: TestCard[] = [
  {
    number: '4242424242424242',
    pm: 'pm_card_visa',
    label: 'succeeds',
    challengeOnSetup: false,
    offSession: { kind: 'succeeded' },
    needsRealSetup: false,
  },
  {
    number: '4000002500003155',
    pm: 'pm_card_authenticationRequiredOnSetup',
    label: 'challenges on setup, then charges off-session',
    challengeOnSetup: true,
    offSession: { kind: 'succeeded' },
    needsRealSetup: true,
  },
  {
    number: '4000002760003184',
    pm: 'pm_card_authenticationRequired',
    label: 'always requires authentication',
    challengeOnSetup: true,
    offSession: { kind: 'action_required' },
    needsRealSetup: false,
  },
  {
    number: '4000000000000341',
    pm: 'pm_card_chargeCustomerFail',
    label: 'attaches, every charge declined',
    challengeOnSetup: false,
    offSession: { kind: 'declined', code: 'card_declined', declineCode: 'generic_decline' },
    needsRealSetup: false,
  },
  {
    number: '4000000000009995',
    pm: 'pm_card_chargeDeclinedInsufficientFunds',
    label: 'insufficient funds',
    challengeOnSetup: false,
    offSession: { kind: 'declined', code: 'card_declined', declineCode: 'insufficient_funds' },
    needsRealSetup: false,
  },
  {
    number: '4000008260003178',
    pm: 'pm_card_authenticationRequiredChargeDeclinedInsufficientFunds',
    label: 'authenticates, then insufficient funds',
    challengeOnSetup: true,
    offSession: { kind: 'declined', code: 'card_declined', declineCode: 'insufficient_funds' },
    needsRealSetup: true,
  },
];
