import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  GroupExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';

/** The ids we persist next to cognito-local's own files so a restart reuses the same pool and client. */
const poolIdsSchema = z.object({ userPoolId: z.string().min(1), clientId: z.string().min(1) });
export type PoolIds = z.infer<typeof poolIdsSchema>;

export const OPERATORS_GROUP = 'operators';
export const STRIPE_CUSTOMER_ATTRIBUTE = 'custom:stripe_customer_id';
const POOL_NAME = 'ev-charge-local';
const IDS_FILE = 'local-cognito.json';

/** cognito-local does not check credentials, but the SDK refuses to sign without some. */
export function cognitoAdminClient(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

async function readIds(dataDir: string): Promise<PoolIds | undefined> {
  const file = join(dataDir, IDS_FILE);
  if (!existsSync(file)) return undefined;
  const parsed = poolIdsSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

async function poolExists(client: CognitoIdentityProviderClient, ids: PoolIds): Promise<boolean> {
  try {
    await client.send(new DescribeUserPoolCommand({ UserPoolId: ids.userPoolId }));
    await client.send(new DescribeUserPoolClientCommand({ UserPoolId: ids.userPoolId, ClientId: ids.clientId }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    // cognito-local answers an unknown pool with a generic error shape on some calls
    if (error instanceof Error && /not found|ResourceNotFound/i.test(`${error.name} ${error.message}`)) return false;
    throw error;
  }
}

/** Mirrors the cloud pool: email is the sign-in name, a Stripe customer id attribute, an operators group. */
async function createPool(client: CognitoIdentityProviderClient): Promise<PoolIds> {
  const pool = await client.send(
    new CreateUserPoolCommand({
      PoolName: POOL_NAME,
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      Schema: [{ Name: 'stripe_customer_id', AttributeDataType: 'String', Mutable: true }],
      Policies: {
        PasswordPolicy: { MinimumLength: 8, RequireLowercase: true, RequireNumbers: true, RequireUppercase: false },
      },
    }),
  );
  const userPoolId = pool.UserPool?.Id;
  if (!userPoolId) throw new Error('cognito-local did not return a user pool id');
  const appClient = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'web',
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  const clientId = appClient.UserPoolClient?.ClientId;
  if (!clientId) throw new Error('cognito-local did not return an app client id');
  return { userPoolId, clientId };
}

async function ensureGroup(client: CognitoIdentityProviderClient, userPoolId: string): Promise<void> {
  try {
    await client.send(
      new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: OPERATORS_GROUP, Description: 'Station operators' }),
    );
  } catch (error) {
    if (error instanceof GroupExistsException) return;
    if (error instanceof Error && /GroupExists/.test(error.name)) return;
    throw error;
  }
}

/** Idempotent: reuses the pool and client recorded in dataDir when cognito-local still knows them. */
export async function ensureUserPool(endpoint: string, dataDir: string): Promise<PoolIds> {
  const client = cognitoAdminClient(endpoint);
  try {
    const known = await readIds(dataDir);
    const ids = known && (await poolExists(client, known)) ? known : await createPool(client);
    await ensureGroup(client, ids.userPoolId);
    await writeFile(join(dataDir, IDS_FILE), `${JSON.stringify(ids, null, 2)}\n`);
    return ids;
  } finally {
    client.destroy();
  }
}
