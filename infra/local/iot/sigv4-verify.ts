/**
 * Verifies an AWS Signature Version 4 on a request received by a local stand-in, by signing the
 * same method, path, query, signed headers and body again with the known secret key and comparing.
 */
import { timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignedRequest {
  method: string;
  host: string;
  /** Path exactly as received (still percent-encoded). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Uint8Array;
}

export type SigV4Verdict = { ok: true } | { ok: false; reason: string };

const AUTH_RE =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function parseAmzDate(v: string | undefined): Date | undefined {
  const m = v?.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/);
  if (!m) return undefined;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** Checks the Authorization header's shape; with credentials, also its signature and freshness. */
export async function verifySigV4(
  req: SignedRequest,
  opts: { service: string; credentials?: StaticCredentials; now?: Date; maxSkewMs?: number },
): Promise<SigV4Verdict> {
  const auth = header(req.headers, 'authorization');
  const m = auth?.match(AUTH_RE);
  if (!m) return { ok: false, reason: 'missing or malformed SigV4 Authorization header' };
  const [, accessKeyId, , region, service, signedHeaders, signature] = m;
  if (service !== opts.service) return { ok: false, reason: `credential scope service is not ${opts.service}` };
  const date = parseAmzDate(header(req.headers, 'x-amz-date'));
  if (!date) return { ok: false, reason: 'missing or malformed X-Amz-Date' };
  if (!opts.credentials) return { ok: true };
  if (accessKeyId !== opts.credentials.accessKeyId) return { ok: false, reason: 'unknown access key' };
  const skew = Math.abs((opts.now ?? new Date()).getTime() - date.getTime());
  if (skew > (opts.maxSkewMs ?? 15 * 60_000)) return { ok: false, reason: 'signature expired' };

  const headers: Record<string, string> = {};
  for (const name of (signedHeaders ?? '').split(';')) {
    const v = header(req.headers, name);
    if (v === undefined) return { ok: false, reason: `signed header ${name} missing` };
    headers[name] = v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of req.query) query[k] = v;
  const signer = new SignatureV4({
    service: opts.service,
    region: region ?? '',
    credentials: opts.credentials,
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: req.method,
      protocol: 'http:',
      hostname: req.host,
      path: req.path,
      query,
      headers,
      body: req.body,
    }),
    { signingDate: date, signingRegion: region },
  );
  const expected = String(signed.headers.authorization ?? '').match(/Signature=([0-9a-f]{64})$/)?.[1] ?? '';
  const a = Buffer.from(expected);
  const b = Buffer.from(signature ?? '');
  return a.length === b.length && timingSafeEqual(a, b)
    ? { ok: true }
    : { ok: false, reason: 'signature does not match' };
}
