import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../functions/src/adapters/memory/memory-logger.js';
import { ok } from '../../../functions/src/domain/result.js';
import { ACTING_TRIGGER, makeHandler } from '../../../functions/src/handlers/post-confirmation.js';
import type { RegisterDriver, RegisterDriverInput } from '../../../functions/src/use-cases/register-driver.js';

function trigger(patch: Partial<PostConfirmationTriggerEvent> = {}): PostConfirmationTriggerEvent {
  return {
    version: '1',
    region: 'ap-northeast-1',
    userPoolId: 'ap-northeast-1_pool',
    triggerSource: 'PostConfirmation_ConfirmSignUp',
    userName: 'user-name-1',
    callerContext: { awsSdkVersion: 'aws-sdk-js-3', clientId: 'client-1' },
    request: { userAttributes: { sub: 'sub-1', email: 'driver@example.jp', email_verified: 'true' } },
    response: {},
    ...patch,
  };
}

function setup(register?: RegisterDriver) {
  const logger = new MemoryLogger();
  const calls: RegisterDriverInput[] = [];
  const registerDriver: RegisterDriver =
    register ??
    (async (input) => {
      calls.push(input);
      return ok({
        id: input.driverId,
        stripeCustomerId: 'cus_1',
        balanceYen: 0,
        blocked: false,
        version: 1,
        createdAt: 't',
        updatedAt: 't',
      });
    });
  return { handler: makeHandler({ registerDriver, logger }), calls, logger };
}

describe('post-confirmation trigger', () => {
  it('registers the confirmed user (sub, pool, user name, email) and returns the event unchanged', async () => {
    const { handler, calls, logger } = setup();
    const event = trigger();
    await expect(handler(event)).resolves.toBe(event);
    expect(calls).toEqual([
      { driverId: 'sub-1', userPoolId: 'ap-northeast-1_pool', username: 'user-name-1', email: 'driver@example.jp' },
    ]);
    expect(logger.at('info')).toEqual([
      { level: 'info', msg: 'driver registered', fields: { driverId: 'sub-1', hasCustomer: true } },
    ]);
  });

  it('acts only on a sign-up confirmation, not on a forgotten-password confirmation', async () => {
    const { handler, calls, logger } = setup();
    expect(ACTING_TRIGGER).toBe('PostConfirmation_ConfirmSignUp');
    const event = trigger({ triggerSource: 'PostConfirmation_ConfirmForgotPassword' });
    await expect(handler(event)).resolves.toBe(event);
    expect(calls).toEqual([]);
    expect(logger.at('info')[0]).toMatchObject({
      msg: 'post-confirmation: ignored trigger',
      fields: { triggerSource: 'PostConfirmation_ConfirmForgotPassword' },
    });
  });

  it('logs a malformed event (no sub, empty user name) and lets the sign-up through', async () => {
    const { handler, calls, logger } = setup();
    const noSub = trigger({ request: { userAttributes: { email: 'x@example.jp' } } });
    await expect(handler(noSub)).resolves.toBe(noSub);
    const noName = trigger({ userName: '' });
    await expect(handler(noName)).resolves.toBe(noName);
    expect(calls).toEqual([]);
    expect(logger.at('error').map((r) => r.msg)).toEqual([
      'post-confirmation: malformed event',
      'post-confirmation: malformed event',
    ]);
    // Only a count of issues: attribute values (emails) never reach the log.
    expect(JSON.stringify(logger.records)).not.toContain('x@example.jp');
  });

  it('logs a failed registration and still returns the event (startCharge links the customer later)', async () => {
    const { handler, logger } = setup(async () => {
      throw new Error('Stripe unreachable');
    });
    const event = trigger();
    await expect(handler(event)).resolves.toBe(event);
    expect(logger.at('error')).toEqual([
      {
        level: 'error',
        msg: 'post-confirmation: registration failed; startCharge will retry lazily',
        fields: { driverId: 'sub-1', err: 'Stripe unreachable' },
      },
    ]);
  });
});
