/**
 * Verifies an AWS Signature Version 4 `Authorization` header on a request a local stand-in received,
 * by signing the same method, path, query, signed headers and body again with the known key and
 * comparing — the way AWS services do. Shared by the local AppSync server (IAM mode) and the IoT
 * data-plane shim; each maps the `code` to its own service's wording.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../../functions/src/adapters/appsync/node-sha256.js';

export interface SignedRequest {
  method: string;
  /** Path without the query string, as sent on the wire (still percent-encoded). */
  path: string;
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  body: string | Uint8Array;
}

export interface ExpectedSigner {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  service: string;
  /** When set, the credential scope must name this region; otherwise the scope's region is used. */
  region?: string;
}

export type SigV4Failure =
  | 'malformed'
  | 'unknownKey'
  | 'scope'
  | 'date'
  | 'expired'
  | 'signedHeaders'
  | 'contentHash'
  | 'mismatch';

export type SigV4Outcome = { ok: true; accessKeyId: string } | { ok: false; code: SigV4Failure; message: string };

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request, ?SignedHeaders=([a-z0-9;_.-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
// AWS rejects signatures more than 15 minutes off the server clock
const MAX_SKEW_MS = 15 * 60 * 1000;

export interface SigV4Header {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** The parts of a SigV4 `Authorization` header, or undefined when it is not one. */
export function parseSigV4Header(value: string | undefined): SigV4Header | undefined {
  const m = AUTH.exec(value ?? '');
  if (!m) return undefined;
  const [, accessKeyId = '', shortDate = '', region = '', service = '', signed = '', signature = ''] = m;
  return { accessKeyId, shortDate, region, service, signedHeaders: signed.split(';'), signature };
}

export function parseAmzDate(value: string | undefined): Date | undefined {
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

// One signer per key pair, service and region (the secret is part of the key: a rotated secret must
// never verify against a signer built with the old one): SignatureV4 caches the derived signing key (per day, region and
// service), which a signer built per request would derive again with four HMACs every time.
const signers = new Map<string, SignatureV4>();

function signerFor(expected: ExpectedSigner, region: string): SignatureV4 {
  const key = [expected.accessKeyId, expected.secretAccessKey, expected.sessionToken, expected.service, region].join(
    '\u0000',
  );
  let signer = signers.get(key);
  if (!signer) {
    signer = new SignatureV4({
      credentials: {
        accessKeyId: expected.accessKeyId,
        secretAccessKey: expected.secretAccessKey,
        ...(expected.sessionToken ? { sessionToken: expected.sessionToken } : {}),
      },
      region,
      service: expected.service,
      sha256: NodeSha256,
      applyChecksum: false,
    });
    if (signers.size > 64) signers.clear();
    signers.set(key, signer);
  }
  return signer;
}

const fail = (code: SigV4Failure, message: string): SigV4Outcome => ({ ok: false, code, message });

export async function verifySigV4(
  req: SignedRequest,
  expected: ExpectedSigner,
  now: Date = new Date(),
): Promise<SigV4Outcome> {
  const auth = parseSigV4Header(req.headers.authorization);
  if (!auth) return fail('malformed', 'Authorization header is not a valid SigV4 header.');
  if (auth.accessKeyId !== expected.accessKeyId) {
    return fail('unknownKey', 'The security token included in the request is invalid.');
  }
  const region = expected.region ?? auth.region;
  if (auth.region !== region || auth.service !== expected.service) {
    return fail('scope', `Credential should be scoped to region ${region} and service ${expected.service}.`);
  }
  const signingDate = parseAmzDate(req.headers['x-amz-date']);
  if (!signingDate || !req.headers['x-amz-date']?.startsWith(auth.shortDate)) {
    return fail('date', 'Missing or malformed X-Amz-Date.');
  }
  if (Math.abs(now.getTime() - signingDate.getTime()) > MAX_SKEW_MS) {
    return fail('expired', 'Signature expired: the request time is too far from the server time.');
  }
  if (!auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-amz-date')) {
    return fail('signedHeaders', 'SignedHeaders must include host and x-amz-date.');
  }
  const declaredHash = req.headers['x-amz-content-sha256'];
  if (declaredHash && declaredHash !== createHash('sha256').update(req.body).digest('hex')) {
    return fail('contentHash', 'The provided x-amz-content-sha256 header does not match what was computed.');
  }
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) return fail('signedHeaders', `Signed header ${name} is missing.`);
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
  const resigned = await signerFor(expected, region).sign(request, {
    signingDate,
    signableHeaders: new Set(auth.signedHeaders),
  });
  const computed = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization ?? ''))?.[1] ?? '';
  if (!sameHex(computed, auth.signature)) {
    return fail('mismatch', 'The request signature we calculated does not match the signature you provided.');
  }
  return { ok: true, accessKeyId: auth.accessKeyId };
}
