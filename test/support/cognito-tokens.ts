import {
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';

export interface Tokens {
  accessToken: string;
  idToken: string;
  sub: string;
}

function client(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Signs a user up, confirms it as an admin would and signs in with USER_PASSWORD_AUTH. */
export async function tokensFor(
  endpoint: string,
  pool: { userPoolId: string; clientId: string },
  email: string,
  password = 'Passw0rd!local',
): Promise<Tokens> {
  const cognito = client(endpoint);
  try {
    const signUp = await cognito.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: email,
        Password: password,
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.userPoolId, Username: email }));
    return signIn(cognito, pool.clientId, email, password, signUp.UserSub ?? '');
  } finally {
    cognito.destroy();
  }
}

/** Signs an existing user in through another app client of the same pool. */
export async function tokensViaClient(
  endpoint: string,
  clientId: string,
  email: string,
  password = 'Passw0rd!local',
): Promise<Tokens> {
  const cognito = client(endpoint);
  try {
    return await signIn(cognito, clientId, email, password, '');
  } finally {
    cognito.destroy();
  }
}

async function signIn(
  cognito: CognitoIdentityProviderClient,
  clientId: string,
  email: string,
  password: string,
  sub: string,
): Promise<Tokens> {
  const auth = await cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );
  const accessToken = auth.AuthenticationResult?.AccessToken;
  const idToken = auth.AuthenticationResult?.IdToken;
  if (!accessToken || !idToken) throw new Error('sign-in returned no tokens');
  return { accessToken, idToken, sub };
}

/** Another app client in a pool; `validitySeconds` makes its tokens expire that fast. */
export async function createAppClient(endpoint: string, userPoolId: string, validitySeconds?: number): Promise<string> {
  const cognito = client(endpoint);
  try {
    const created = await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: userPoolId,
        ClientName: `extra-${Date.now()}`,
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'],
        ...(validitySeconds
          ? {
              AccessTokenValidity: validitySeconds,
              IdTokenValidity: validitySeconds,
              TokenValidityUnits: { AccessToken: 'seconds', IdToken: 'seconds' },
            }
          : {}),
      }),
    );
    const id = created.UserPoolClient?.ClientId;
    if (!id) throw new Error('no client id');
    return id;
  } finally {
    cognito.destroy();
  }
}

/** A second pool in the same cognito-local: same signing key, different issuer. */
export async function createOtherPool(endpoint: string): Promise<{ userPoolId: string; clientId: string }> {
  const cognito = client(endpoint);
  try {
    const pool = await cognito.send(new CreateUserPoolCommand({ PoolName: 'other', UsernameAttributes: ['email'] }));
    const userPoolId = pool.UserPool?.Id;
    if (!userPoolId) throw new Error('no pool id');
    return { userPoolId, clientId: await createAppClient(endpoint, userPoolId) };
  } finally {
    cognito.destroy();
  }
}
