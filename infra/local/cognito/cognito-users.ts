import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminAddUserToGroupCommand, AdminConfirmSignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';
import { cognitoAdminClient } from './cognito-bootstrap.js';

/** The part of cognito-local's `.cognito/db/<poolId>.json` we read: users keyed by username (the sub). */
const poolFileSchema = z.object({
  Users: z
    .record(
      z.string(),
      z.object({
        Username: z.string(),
        UserStatus: z.string().optional(),
        ConfirmationCode: z.string().optional(),
        Attributes: z.array(z.object({ Name: z.string(), Value: z.string().optional() })).default([]),
      }),
    )
    .default({}),
});

export interface CognitoPoolRef {
  endpoint: string;
  userPoolId: string;
  dataDir: string;
}

/**
 * cognito-local writes its pool file asynchronously; on a loaded machine (a full test run on two
 * cores, a host disk stalling) that took over the 1 s this used to allow. The code is usually there at
 * the first look, so a long deadline costs nothing when things are quick.
 */
const POLL_DEADLINE_MS = 10_000;
const POLL_INTERVAL_MS = 50;

async function findUser(pool: CognitoPoolRef, email: string) {
  const file = join(pool.dataDir, '.cognito', 'db', `${pool.userPoolId}.json`);
  const parsed = poolFileSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) return undefined;
  const wanted = email.toLowerCase();
  return Object.values(parsed.data.Users).find((user) =>
    user.Attributes.some((a) => a.Name === 'email' && a.Value?.toLowerCase() === wanted),
  );
}

/**
 * The sign-up code cognito-local would have e-mailed: it prints it to its log and keeps it on the
 * user record (`ConfirmationCode`) until confirmation. Polls briefly because the store writes async.
 */
export async function readConfirmationCode(pool: CognitoPoolRef, email: string): Promise<string> {
  const deadline = performance.now() + POLL_DEADLINE_MS;
  for (;;) {
    const code = (await findUser(pool, email).catch(() => undefined))?.ConfirmationCode;
    if (code) return code;
    if (performance.now() >= deadline) break;
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`no pending confirmation code for ${email} after ${POLL_DEADLINE_MS / 1_000} s`);
}

/** The Cognito username (the sub: email is a username attribute in this pool). */
export async function usernameOf(pool: CognitoPoolRef, email: string): Promise<string> {
  const user = await findUser(pool, email);
  if (!user) throw new Error(`no user ${email}`);
  return user.Username;
}

/** AdminConfirmSignUp: also fires PostConfirmation (triggerSource PostConfirmation_ConfirmSignUp). */
export async function adminConfirmSignUp(pool: CognitoPoolRef, email: string): Promise<void> {
  const client = cognitoAdminClient(pool.endpoint);
  try {
    await client.send(new AdminConfirmSignUpCommand({ UserPoolId: pool.userPoolId, Username: email }));
  } finally {
    client.destroy();
  }
}

export async function adminAddUserToGroup(pool: CognitoPoolRef, email: string, group: string): Promise<void> {
  const client = cognitoAdminClient(pool.endpoint);
  try {
    await client.send(
      new AdminAddUserToGroupCommand({ UserPoolId: pool.userPoolId, Username: email, GroupName: group }),
    );
  } finally {
    client.destroy();
  }
}
