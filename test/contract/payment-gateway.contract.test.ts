/**
 * PaymentGateway contract: always against the local Stripe emulator; also against Stripe test mode
 * when STRIPE_SECRET_KEY=sk_test_… is set.
 */

import { createStripeClient } from '../../functions/src/adapters/stripe/stripe-client.js';
import { StripePaymentGateway } from '../../functions/src/adapters/stripe/stripe-payment-gateway.js';
import { payHostedCheckout, startStripeEmulator } from '../../infra/local/stripe/index.js';
import { describeGatewayContract } from './payment/gateway-contract.js';

describeGatewayContract('PaymentGateway contract — Stripe emulator', async () => {
  const emu = await startStripeEmulator({});
  const stripe = createStripeClient({ secretKey: 'sk_test_contract', apiBase: emu.url, maxNetworkRetries: 0 });
  return {
    name: 'emulator',
    gateway: new StripePaymentGateway(stripe),
    stripe,
    payHosted: (url, card, authenticate) => payHostedCheckout(url, { card, ...(authenticate ? { authenticate } : {}) }),
    close: () => emu.close(),
  };
});

const key = process.env.STRIPE_SECRET_KEY ?? '';
if (key.startsWith('sk_test_')) {
  describeGatewayContract('PaymentGateway contract — Stripe test mode', async () => {
    const stripe = createStripeClient({ secretKey: key });
    return { name: 'stripe-test-mode', gateway: new StripePaymentGateway(stripe), stripe, close: async () => {} };
  });
} else {
  console.log('PaymentGateway contract vs Stripe test mode not run: STRIPE_SECRET_KEY=sk_test_… is not set');
}
