import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolGroup,
  UserPoolOperation,
} from 'aws-cdk-lib/aws-cognito';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { StageConfig } from '../stage-config.js';

export const OPERATORS_GROUP = 'operators';
export const STRIPE_CUSTOMER_ATTRIBUTE = 'stripe_customer_id';

/** Drivers sign up with their e-mail; the post-confirmation trigger links each one to a Stripe Customer. */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;

  constructor(scope: Construct, id: string, config: StageConfig) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Drivers', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: { [STRIPE_CUSTOMER_ATTRIBUTE]: new StringAttribute({ mutable: true, maxLen: 64 }) },
      passwordPolicy: {
        minLength: 10,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: config.isProd,
      removalPolicy: config.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'Drivers sign in on a phone in a parking lot to start a metered charge; TOTP MFA is offered (optional) but not forced. Money is protected by the saved-card flow (Stripe SCA) not by the sign-in.',
      },
      {
        id: 'AwsSolutions-COG3',
        reason:
          'Threat protection needs the Cognito Plus feature plan (per-MAU cost); the pool uses Essentials with a strong password policy. Revisit when abuse is seen.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'Same trade-off as COG3: the Plus plan is priced per active user; Essentials covers e-mail sign-up, SRP and TOTP.',
      },
    );

    new UserPoolGroup(this, 'Operators', {
      userPool: this.userPool,
      groupName: OPERATORS_GROUP,
      description: 'Operators: station fleet view, failures, reconciliation anomalies',
    });

    // Drivers may read the Stripe customer id but only the backend may write it.
    const standard = { email: true };
    this.client = this.userPool.addClient('WebApp', {
      authFlows: { userSrp: true, userPassword: true },
      generateSecret: false,
      // Amplify signs in with SRP (or USER_PASSWORD_AUTH locally); no hosted UI, so no OAuth flows.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ ...standard, emailVerified: true })
        .withCustomAttributes(STRIPE_CUSTOMER_ATTRIBUTE),
      writeAttributes: new ClientAttributes().withStandardAttributes(standard),
    });
  }

  /**
   * Wires the trigger and lets it set the custom attribute on this pool only. The statement lives in
   * its own Policy: `userPool.grant(fn)` or `fn.addToRolePolicy` would put the pool ARN in the
   * function's default policy, which the function waits for, which the pool (trigger) waits for — a cycle.
   */
  attachPostConfirmation(fn: IFunction): void {
    this.userPool.addTrigger(UserPoolOperation.POST_CONFIRMATION, fn);
    const role = fn.role;
    if (!role) throw new Error('post-confirmation function has no role');
    const policy = new Policy(this, 'PostConfirmationUpdatesUser', {
      statements: [
        new PolicyStatement({
          actions: ['cognito-idp:AdminUpdateUserAttributes'],
          resources: [
            Stack.of(this).formatArn({
              service: 'cognito-idp',
              resource: 'userpool',
              resourceName: this.userPool.userPoolId,
            }),
          ],
        }),
      ],
    });
    policy.attachToRole(role);
  }
}
