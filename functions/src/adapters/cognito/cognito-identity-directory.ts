import {
  AdminUpdateUserAttributesCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { IdentityDirectory } from '../../ports/identity-directory.port.js';

export const STRIPE_CUSTOMER_ATTRIBUTE = 'custom:stripe_customer_id';

export class CognitoIdentityDirectory implements IdentityDirectory {
  constructor(private readonly client: Pick<CognitoIdentityProviderClient, 'send'>) {}

  async setCustomerId(user: { userPoolId: string; username: string }, customerId: string): Promise<void> {
    await this.client.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: user.userPoolId,
        Username: user.username,
        UserAttributes: [{ Name: STRIPE_CUSTOMER_ATTRIBUTE, Value: customerId }],
      }),
    );
  }
}
