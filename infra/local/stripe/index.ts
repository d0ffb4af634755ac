export { type StripeEmulator, type StripeEmulatorOptions, startStripeEmulator } from './emulator.js';
export type { ApiFaultMode, ApiFaultRule, FaultSwitches, WebhookFaults } from './faults.js';
export { type HostedCheckoutResult, payHostedCheckout } from './pay-hosted-checkout.js';
export { type DeliveryAttempt, signPayload } from './webhooks.js';
