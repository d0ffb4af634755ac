/**
 * Everything that can happen to a charging session, in the domain's words. Adapters translate
 * station acks/events and payment-provider webhooks into these; use-cases feed them to the machine.
 */
import type { StopReason } from './session.js';

export type StartFailure = 'ackTimeout' | 'stationOffline' | 'commandNotSent';

export type SessionEvent =
  /** Setup Checkout saved a card; `startCmdId` is the close command about to be sent. */
  | {
      type: 'CheckoutCompleted';
      checkoutSessionId: string;
      paymentMethodId: string;
      cardBrand?: string;
      cardLast4?: string;
      startCmdId: string;
      eventId?: string;
    }
  /** The setup Checkout expired, or the driver never finished it within the platform's timeout. */
  | { type: 'CheckoutAbandoned'; reason: 'expired' | 'timeout'; checkoutSessionId?: string; eventId?: string }
  | { type: 'BreakerClosed'; cmdId: string; registerWh: number; at: string }
  | { type: 'BreakerRefused'; cmdId: string; reason: string }
  | { type: 'StartTimedOut'; reason: StartFailure }
  /** Driver stop, exposure cap, …: CHARGING → STOPPING (`cmdId` = the open command); cancels a session awaiting a card. */
  | { type: 'StopRequested'; cmdId: string; reason: StopReason }
  /**
   * The station answered the open command. `ended`: it had already ended the session by itself
   * (offline cap, …) before the command reached it; that end, not `at`, is what is billed.
   */
  | {
      type: 'BreakerOpened';
      cmdId: string;
      registerWh: number;
      at: string;
      ended?: { stopRegisterWh: number; endedAt: string; reason: StopReason };
    }
  /** The station's own `session_end`: both registers, its times, and why. */
  | {
      type: 'SessionEnded';
      startRegisterWh: number;
      stopRegisterWh: number;
      startedAt: string;
      endedAt: string;
      reason: StopReason;
    }
  /** The driver's carried balance read in the same atomic write; the card is pinned for retries. */
  | { type: 'BillingDecided'; balanceYen: number; customerId?: string; paymentMethodId?: string }
  /** The processor accepted the off-session charge; PAID only comes with the payment-succeeded event. */
  | { type: 'ChargeSubmitted'; paymentIntentId: string; status: 'succeeded' | 'processing' }
  | { type: 'PaymentActionRequired'; paymentIntentId: string; eventId?: string }
  | {
      type: 'PaymentDeclined';
      paymentIntentId?: string;
      code: string;
      declineCode?: string;
      message: string;
      eventId?: string;
    }
  | {
      type: 'PaymentSucceeded';
      paymentIntentId: string;
      amountYen: number;
      via: 'offSession' | 'checkout';
      /** The card that paid, when it is not the one on the session (a hosted recovery payment). */
      paymentMethodId?: string;
      cardBrand?: string;
      cardLast4?: string;
      /** That card was saved and is now the driver's default (recorded as evidence). */
      savedAsDefault?: boolean;
      eventId?: string;
    }
  /** Cumulative refunded amount (operator action). */
  | { type: 'Refunded'; paymentIntentId: string; amountYen: number; eventId?: string };

export type SessionEventType = SessionEvent['type'];

export const SESSION_EVENT_TYPES = [
  'CheckoutCompleted',
  'CheckoutAbandoned',
  'BreakerClosed',
  'BreakerRefused',
  'StartTimedOut',
  'StopRequested',
  'BreakerOpened',
  'SessionEnded',
  'BillingDecided',
  'ChargeSubmitted',
  'PaymentActionRequired',
  'PaymentDeclined',
  'PaymentSucceeded',
  'Refunded',
] as const satisfies readonly SessionEventType[];
