import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../../functions/src/adapters/appsync/node-sha256.js';
import type { IamAuthConfig } from './appsync-types.js';

export interface SignedRequest {
  method: string;
  /** Path without the query string, as sent on the wire. */
  path: string;
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: string;
}

export type SigV4Outcome = { ok: true; accessKeyId: string } | { ok: false; message: string };

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;_.-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
// AWS rejects signatures more than 15 minutes off the server clock
const MAX_SKEW_MS = 15 * 60 * 1000;

function parseAmzDate(value: string | undefined): Date | undefined {
  const m = value ? AMZ_DATE.exec(value) : null;
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

// One signer per credentials object: SignatureV4 caches the derived signing key (per day, region and
// service), which a signer built per request would derive again with four HMACs every time.
const signers = new WeakMap<IamAuthConfig, SignatureV4>();

function signerFor(creds: IamAuthConfig): SignatureV4 {
  let signer = signers.get(creds);
  if (!signer) {
    signer = new SignatureV4({
      credentials: {
        accessKeyId: creds.accessKeyId,
        secretAccessKey: creds.secretAccessKey,
        ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
      },
      region: creds.region,
      service: 'appsync',
      sha256: NodeSha256,
      applyChecksum: false,
    });
    signers.set(creds, signer);
  }
  return signer;
}

/**
 * Verifies an AWS SigV4 `Authorization` header for service `appsync` by re-signing the request with
 * the configured local credentials and comparing signatures, the way AppSync's IAM mode does.
 */
export async function verifySigV4(
  req: SignedRequest,
  creds: IamAuthConfig,
  now: Date = new Date(),
): Promise<SigV4Outcome> {
  const match = AUTH.exec(req.headers.authorization ?? '');
  if (!match) return { ok: false, message: 'Authorization header is not a valid SigV4 header.' };
  const [, accessKeyId = '', shortDate, region, service, signedList = '', signature = ''] = match;
  if (accessKeyId !== creds.accessKeyId)
    return { ok: false, message: 'The security token included in the request is invalid.' };
  if (region !== creds.region || service !== 'appsync') {
    return { ok: false, message: `Credential should be scoped to region ${creds.region} and service appsync.` };
  }
  const signingDate = parseAmzDate(req.headers['x-amz-date']);
  if (!signingDate || !req.headers['x-amz-date']?.startsWith(shortDate ?? '-')) {
    return { ok: false, message: 'Missing or malformed X-Amz-Date.' };
  }
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
    return { ok: false, message: 'Signature expired: the request time is too far from the server time.' };
  }
  const signedHeaders = signedList.split(';');
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) {
    return { ok: false, message: 'SignedHeaders must include host and x-amz-date.' };
  }
  const declaredHash = req.headers['x-amz-content-sha256'];
  if (declaredHash && declaredHash !== createHash('sha256').update(req.body).digest('hex')) {
    return { ok: false, message: 'The provided x-amz-content-sha256 header does not match what was computed.' };
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) return { ok: false, message: `Signed header ${name} is missing.` };
    headers[name] = value;
  }
  const [hostname = '', port] = (headers.host ?? '').split(':');
  const request = new HttpRequest({
    method: req.method,
    protocol: 'http:',
    hostname,
    ...(port ? { port: Number(port) } : {}),
    path: req.path,
    query: req.query,
    headers,
    body: req.body,
  });
  const signer = signerFor(creds);
  const resigned = await signer.sign(request, { signingDate, signableHeaders: new Set(signedHeaders) });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization ?? ''))?.[1] ?? '';
  if (!sameHex(expected, signature)) {
    return {
      ok: false,
      message: 'The request signature we calculated does not match the signature you provided.',
    };
  }
  return { ok: true, accessKeyId };
}
