import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  ListGroupsCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminAddUserToGroup,
  adminConfirmSignUp,
  type LambdaInvokeShim,
  type LocalCognito,
  OPERATORS_GROUP,
  readConfirmationCode,
  STRIPE_CUSTOMER_ATTRIBUTE,
  startLambdaInvokeShim,
  startLocalCognito,
} from '../../../infra/local/cognito/index.js';
import { tokensViaClient } from '../../support/cognito-tokens.js';

const PASSWORD = 'Passw0rd!local';

function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString());
}

describe('startLocalCognito', () => {
  const triggers: unknown[] = [];
  let dataDir: string;
  let shim: LambdaInvokeShim;
  let cognito: LocalCognito | undefined;
  let sdk: CognitoIdentityProviderClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'ev-cognito-'));
    shim = await startLambdaInvokeShim({
      functions: {
        'post-confirmation': async (event) => {
          triggers.push(event);
          return event;
        },
      },
    });
    cognito = await startLocalCognito({ dataDir, lambdaInvokeEndpoint: shim.endpoint });
    sdk = new CognitoIdentityProviderClient({
      endpoint: cognito.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    sdk?.destroy();
    await cognito?.stop();
    await shim?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const signUp = async (email: string) => {
    const pool = cognito!;
    const res = await sdk.send(
      new SignUpCommand({
        ClientId: pool.clientId,
        Username: email,
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: email }],
      }),
    );
    return res.UserSub ?? '';
  };

  it('serves a pool with email sign-in, a Stripe customer attribute and an operators group', async () => {
    const pool = cognito!;
    expect(pool.userPoolId).toMatch(/^local_/);
    expect(pool.issuer).toBe(`${pool.endpoint}/${pool.userPoolId}`);
    const described = await sdk.send(new DescribeUserPoolCommand({ UserPoolId: pool.userPoolId }));
    expect(described.UserPool?.UsernameAttributes).toEqual(['email']);
    expect(described.UserPool?.SchemaAttributes?.map((a) => a.Name)).toContain(STRIPE_CUSTOMER_ATTRIBUTE);
    const groups = await sdk.send(new ListGroupsCommand({ UserPoolId: pool.userPoolId }));
    expect(groups.Groups?.map((g) => g.GroupName)).toEqual([OPERATORS_GROUP]);
    const jwks = await (await fetch(pool.jwksUrl)).json();
    expect(jwks).toMatchObject({ keys: [{ kty: 'RSA', alg: 'RS256', use: 'sig' }] });
  });

  it('keeps the sign-up code where a test can read it, and AdminConfirmSignUp also fires PostConfirmation', async () => {
    const email = `code-${Date.now()}@example.com`;
    const sub = await signUp(email);
    expect(await readConfirmationCode(cognito!, email)).toMatch(/^\d{4,}$/);
    await adminConfirmSignUp(cognito!, email);
    expect(triggers.at(-1)).toMatchObject({
      triggerSource: 'PostConfirmation_ConfirmSignUp',
      userName: sub,
      request: { userAttributes: { email, sub } },
    });
  });

  it('puts the Stripe customer id into the id token (not the access token) and groups into both', async () => {
    const pool = cognito!;
    const email = `operator-${Date.now()}@example.com`;
    await signUp(email);
    await adminConfirmSignUp(pool, email);
    await sdk.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: pool.userPoolId,
        Username: email,
        UserAttributes: [{ Name: STRIPE_CUSTOMER_ATTRIBUTE, Value: 'cus_local_1' }],
      }),
    );
    await adminAddUserToGroup(pool, email, OPERATORS_GROUP);
    const tokens = await tokensViaClient(pool.endpoint, pool.clientId, email, PASSWORD);
    expect(claimsOf(tokens.idToken)).toMatchObject({
      [STRIPE_CUSTOMER_ATTRIBUTE]: 'cus_local_1',
      'cognito:groups': [OPERATORS_GROUP],
      aud: pool.clientId,
    });
    expect(claimsOf(tokens.accessToken)).toMatchObject({ client_id: pool.clientId, token_use: 'access' });
    expect(claimsOf(tokens.accessToken)).not.toHaveProperty(STRIPE_CUSTOMER_ATTRIBUTE);
  });

  it('reuses the same pool, client and users after a restart on the same data dir', async () => {
    const before = cognito!;
    const email = `persist-${Date.now()}@example.com`;
    await signUp(email);
    await adminConfirmSignUp(before, email);
    await before.stop();
    cognito = await startLocalCognito({ dataDir, lambdaInvokeEndpoint: shim.endpoint });
    expect({ pool: cognito.userPoolId, client: cognito.clientId }).toEqual({
      pool: before.userPoolId,
      client: before.clientId,
    });
    sdk.destroy();
    sdk = new CognitoIdentityProviderClient({
      endpoint: cognito.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const tokens = await tokensViaClient(cognito.endpoint, cognito.clientId, email, PASSWORD);
    expect(claimsOf(tokens.accessToken).iss).toBe(cognito.issuer);
  });
});
