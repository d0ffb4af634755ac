/**
 * Cognito PostConfirmation trigger: links the confirmed user to a Stripe Customer. Only a sign-up
 * confirmation acts (the trigger also fires for AdminConfirmSignUp's cousin ConfirmForgotPassword).
 * Cognito allows 5 s and the sign-up must not fail because billing set-up did: a failure is logged and
 * startCharge creates the customer lazily.
 */
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { z } from 'zod';
import { lambdaHandler } from '../composition/lambda.js';
import type { Logger } from '../ports/logger.port.js';
import type { RegisterDriver } from '../use-cases/register-driver.js';

const Event = z.object({
  triggerSource: z.string(),
  userPoolId: z.string().min(1),
  userName: z.string().min(1),
  request: z.object({
    userAttributes: z.object({ sub: z.string().min(1), email: z.string().optional() }).loose(),
  }),
});

export const ACTING_TRIGGER = 'PostConfirmation_ConfirmSignUp';

export function makeHandler(deps: { registerDriver: RegisterDriver; logger: Logger }) {
  return async (event: PostConfirmationTriggerEvent): Promise<PostConfirmationTriggerEvent> => {
    const parsed = Event.safeParse(event);
    if (!parsed.success) {
      deps.logger.error('post-confirmation: malformed event', { issues: parsed.error.issues.length });
      return event;
    }
    const e = parsed.data;
    if (e.triggerSource !== ACTING_TRIGGER) {
      deps.logger.info('post-confirmation: ignored trigger', { triggerSource: e.triggerSource });
      return event;
    }
    const { sub, email } = e.request.userAttributes;
    try {
      const r = await deps.registerDriver({ driverId: sub, userPoolId: e.userPoolId, username: e.userName, email });
      deps.logger.info('driver registered', { driverId: sub, hasCustomer: r.ok && Boolean(r.value.stripeCustomerId) });
    } catch (err) {
      deps.logger.error('post-confirmation: registration failed; startCharge will retry lazily', {
        driverId: sub,
        err: err instanceof Error ? err.message : String(err),
      });
    }
    return event;
  };
}

export const handler = lambdaHandler((d) => makeHandler({ registerDriver: d.registerDriver, logger: d.logger }));
