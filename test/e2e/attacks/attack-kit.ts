/**
 * What the attack suites share: a snapshot of everything an attack could change (store, claims,
 * processed webhook events, PaymentIntents at the processor), forged JWTs, Stripe signatures made
 * with any secret and timestamp, and a capture of the stack's structured warning lines.
 */
import { createHmac, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { vi } from 'vitest';
import { z } from 'zod';
import { tableNames } from '../../../functions/src/adapters/dynamodb/tables.js';
import { localDynamoDbClient } from '../../../infra/local/dynamodb/local-client.js';
import type { TestStack } from '../../support/test-stack.js';
import { emulatorStripe, storeSnapshot } from '../support-flows.js';

export interface AttackSnapshot {
  store: Awaited<ReturnType<typeof storeSnapshot>>;
  processedEvents: string[];
  paymentIntents: string[];
}

async function processedEventIds(t: TestStack): Promise<string[]> {
  const ddb = localDynamoDbClient(t.stack.urls.dynamodb);
  try {
    const out = await ddb.send(
      new ScanCommand({ TableName: tableNames('ev-').processedEvents, ConsistentRead: true, Limit: 1_000 }),
    );
    return (out.Items ?? []).map((i) => i.id?.S ?? '?').sort();
  } finally {
    ddb.destroy();
  }
}

/** Equal snapshots before and after an attack mean it changed nothing anyone could observe. */
export async function snapshot(t: TestStack): Promise<AttackSnapshot> {
  const intents = await emulatorStripe(t.stack).paymentIntents.list({ limit: 100 });
  return {
    store: await storeSnapshot(t.stack),
    processedEvents: await processedEventIds(t),
    paymentIntents: intents.data.map((pi) => `${pi.id}:${pi.status}:${pi.amount}`).sort(),
  };
}

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h = '', p = ''] = token.split('.');
  const json = z.record(z.string(), z.unknown());
  return {
    header: json.parse(JSON.parse(Buffer.from(h, 'base64url').toString('utf8'))),
    payload: json.parse(JSON.parse(Buffer.from(p, 'base64url').toString('utf8'))),
  };
}

/** cognito-local signs every pool's tokens with one key shipped in its package (kid CognitoLocal). */
function cognitoLocalKeyPem(): string {
  const require = createRequire(import.meta.url);
  const file = require.resolve('cognito-local/lib/keys/cognitoLocal.private.json');
  return z.object({ pem: z.string() }).parse(JSON.parse(readFileSync(file, 'utf8'))).pem;
}

/** RS256 over header.payload with the given key (PEM), the stack's own signing key by default. */
export function signRs256(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  keyPem = cognitoLocalKeyPem(),
): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), createPrivateKey(keyPem)).toString('base64url')}`;
}

/** A key nobody published, for tokens whose signature must not verify. */
export function strangerKeyPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

/** The JWT forgeries of a valid token: each keeps its claims (or improves them) and breaks the trust. */
export function forgedTokens(valid: string, victimSub: string): Record<string, string> {
  const { header, payload } = decodeJwt(valid);
  const [, , signature = ''] = valid.split('.');
  const hs = (secret: string) => {
    const input = `${b64url({ ...header, alg: 'HS256' })}.${b64url(payload)}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
  return {
    'alg none': `${b64url({ ...header, alg: 'none' })}.${b64url(payload)}.`,
    'alg none, no signature part': `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}`,
    'HS256 with the public key as secret': hs(String(header.kid ?? '')),
    'claims changed to another user': `${b64url(header)}.${b64url({ ...payload, sub: victimSub, username: victimSub })}.${signature}`,
    'signed by a stranger key with the pool kid': signRs256(header, payload, strangerKeyPem()),
    'unknown kid': signRs256({ ...header, kid: 'not-a-key' }, payload, strangerKeyPem()),
    garbage: 'eyJhbGciOi.garbage.garbage',
  };
}

/** A Stripe-Signature header for `body` signed with `secret` at `timestamp` (unix seconds). */
export function stripeSignature(body: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export async function postWebhook(
  url: string,
  body: string | Buffer,
  signature?: string,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature === undefined ? {} : { 'stripe-signature': signature }),
    },
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/** The stack's structured log lines (JSON on stderr) written while `fn` runs, parsed. */
export async function capturingLogs<T>(fn: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const original = process.stderr.write.bind(process.stderr);
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(z.record(z.string(), z.unknown()).parse(JSON.parse(line)));
      } catch {
        // not one of ours
      }
    }
    // The stack's loggers write whole lines with no callback.
    return original(chunk);
  });
  try {
    return { result: await fn(), lines };
  } finally {
    spy.mockRestore();
  }
}
