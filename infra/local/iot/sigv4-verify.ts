/**
 * The IoT data-plane shim's SigV4 check (service `iotdata`), on the shared verifier. Without
 * configured credentials only the header's shape is checked (any local caller may publish).
 */
import { parseAmzDate, parseSigV4Header, type SigV4Failure, verifySigV4 as verify } from '../sigv4/sigv4-verifier.js';

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

const REASONS: Record<SigV4Failure, string> = {
  malformed: 'missing or malformed SigV4 Authorization header',
  unknownKey: 'unknown access key',
  scope: 'credential scope does not match',
  date: 'missing or malformed X-Amz-Date',
  expired: 'signature expired',
  signedHeaders: 'signed headers missing',
  contentHash: 'x-amz-content-sha256 does not match the body',
  mismatch: 'signature does not match',
};

/** Checks the Authorization header's shape; with credentials, also its signature and freshness. */
export async function verifySigV4(
  req: SignedRequest,
  opts: { service: string; credentials?: StaticCredentials; now?: Date },
): Promise<SigV4Verdict> {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const auth = parseSigV4Header(headers.authorization);
  if (!auth) return { ok: false, reason: REASONS.malformed };
  if (auth.service !== opts.service) return { ok: false, reason: `credential scope service is not ${opts.service}` };
  if (!parseAmzDate(headers['x-amz-date'])) return { ok: false, reason: REASONS.date };
  if (!opts.credentials) return { ok: true };
  const outcome = await verify(
    {
      method: req.method,
      path: req.path,
      query: Object.fromEntries(req.query),
      headers: { ...headers, host: headers.host ?? req.host },
      body: req.body,
    },
    { ...opts.credentials, service: opts.service },
    opts.now,
  );
  return outcome.ok ? { ok: true } : { ok: false, reason: REASONS[outcome.code] };
}
