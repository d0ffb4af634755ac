/** The demo driver (and an operator) that `npm start` prints, created once per data directory. */
import {
  CognitoIdentityProviderClient,
  SignUpCommand,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { adminAddUserToGroup, adminConfirmSignUp, OPERATORS_GROUP } from '../cognito/index.js';

export const DEMO_DRIVER = 'driver@example.com';
export const DEMO_OPERATOR = 'operator@example.com';

export async function ensureDemoUsers(opts: {
  endpoint: string;
  userPoolId: string;
  clientId: string;
  dataDir: string;
  password: string;
}): Promise<void> {
  const client = new CognitoIdentityProviderClient({ region: 'ap-northeast-1', endpoint: opts.endpoint });
  const pool = { endpoint: opts.endpoint, userPoolId: opts.userPoolId, dataDir: opts.dataDir };
  try {
    for (const email of [DEMO_DRIVER, DEMO_OPERATOR]) {
      try {
        await client.send(
          new SignUpCommand({
            ClientId: opts.clientId,
            Username: email,
            Password: opts.password,
            UserAttributes: [{ Name: 'email', Value: email }],
          }),
        );
      } catch (e) {
        if (e instanceof UsernameExistsException) continue;
        throw e;
      }
      await adminConfirmSignUp(pool, email);
      if (email === DEMO_OPERATOR) await adminAddUserToGroup(pool, email, OPERATORS_GROUP);
    }
  } finally {
    client.destroy();
  }
}
