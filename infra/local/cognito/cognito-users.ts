import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminAddUserToGroupCommand, AdminConfirmSignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';
import { cognitoAdminClient } from './cognito-bootstrap.js';
import { COGNITO_LOG_FILE } from './local-cognito.js';

/** The part of cognito-local's `.cognito/db/<poolId>.json` we read: users keyed by username (the sub). */
const poolFileSchema = z.object({
  Users: z
    .record(
      z.string(),
      z.object({
        Username: z.string(),
        UserStatus: z.string().optional(),
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
 * The log is written through a pipe and a file stream, so a code can take a moment to land; on a
 * loaded machine (a full test run on two cores, a host disk stalling) that took over a second. The
 * code is usually there at the first look, so a long deadline costs nothing when things are quick.
 */
const POLL_DEADLINE_MS = 10_000;
const POLL_INTERVAL_MS = 50;
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

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
 * The last code cognito-local printed for this address: each delivery is a box in its log with
 * `Destination:` and `Code:` lines (consoleMessageSender), the way a person reads it.
 */
export function lastCodeInLog(log: string, email: string): string | undefined {
  const wanted = email.toLowerCase();
  let code: string | undefined;
  for (const box of log.replace(ANSI, '').split('Confirmation Code Delivery').slice(1)) {
    const to = /Destination:\s+(\S+)/.exec(box)?.[1];
    // Up to the box's right border: a line still being written could end mid-number.
    const sent = /Code:\s+(\d+) +│/.exec(box)?.[1];
    if (sent && to?.toLowerCase() === wanted) code = sent;
  }
  return code;
}

/**
 * The sign-up code cognito-local would have e-mailed, read from the e-mail it prints to its log.
 * Not from its pool file: that is rewritten whole by an unawaited `writeFile` per change, so two
 * sign-ups at once can leave it torn or one change behind until the next write — a test that signed
 * up two drivers at once waited 10 s for a code that was never going to appear there.
 */
export async function readConfirmationCode(pool: CognitoPoolRef, email: string): Promise<string> {
  const deadline = performance.now() + POLL_DEADLINE_MS;
  const log = join(pool.dataDir, COGNITO_LOG_FILE);
  for (;;) {
    const code = lastCodeInLog(await readFile(log, 'utf8').catch(() => ''), email);
    if (code) return code;
    if (performance.now() >= deadline) break;
    await sleep(POLL_INTERVAL_MS);
  }
  throw new Error(`no confirmation code for ${email} in ${log} after ${POLL_DEADLINE_MS / 1_000} s`);
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
