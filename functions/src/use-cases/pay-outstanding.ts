import { DomainError } from '../domain/errors.js';
import { err, ok, type Result } from '../domain/result.js';
import type { UseCaseDeps } from './deps.js';
import { checkoutUrls } from './energize.js';

export interface PayOutstandingOutput {
  sessionId: string;
  amountYen: number;
  checkoutUrl: string;
}

export type PayOutstanding = (input: { driverId: string }) => Promise<Result<PayOutstandingOutput, DomainError>>;

/** A hosted Checkout (payment mode) for the session whose unpaid amount blocks the driver. */
export function makePayOutstanding(deps: UseCaseDeps): PayOutstanding {
  return async ({ driverId }) => {
    const driver = await deps.drivers.get(driverId);
    if (!driver) return err(new DomainError('DRIVER.NOT_FOUND', 'No such driver.'));
    const session = driver.blockedBySessionId ? await deps.sessions.get(driver.blockedBySessionId) : undefined;
    if (!driver.blocked || !session || !['PAYMENT_FAILED', 'PAYMENT_ACTION_REQUIRED'].includes(session.state)) {
      return err(new DomainError('PAYMENT.NOT_REQUIRED', 'Nothing is outstanding.'));
    }
    const amountYen = session.chargeYen ?? 0;
    const customerId =
      driver.stripeCustomerId ??
      session.customerId ??
      (await deps.payments.ensureCustomer({ driverId, email: driver.email })).customerId;
    const link = await deps.payments.createPaymentCheckout({
      customerId,
      sessionId: session.id,
      amountYen,
      ...checkoutUrls(deps.config.webBaseUrl, session.id),
    });
    deps.logger.info('payment checkout opened', { sessionId: session.id, checkoutSessionId: link.checkoutSessionId });
    return ok({ sessionId: session.id, amountYen, checkoutUrl: link.url });
  };
}
