/** AppSync's IAM mode: SigV4 for service `appsync`, scoped to the API's region (shared verifier). */
import { type SignedRequest, verifySigV4 as verify } from '../sigv4/sigv4-verifier.js';
import type { IamAuthConfig } from './appsync-types.js';

export type { SignedRequest } from '../sigv4/sigv4-verifier.js';
export type SigV4Outcome = { ok: true; accessKeyId: string } | { ok: false; message: string };

export async function verifySigV4(
  req: SignedRequest,
  creds: IamAuthConfig,
  now: Date = new Date(),
): Promise<SigV4Outcome> {
  const outcome = await verify(req, { ...creds, service: 'appsync' }, now);
  return outcome.ok ? outcome : { ok: false, message: outcome.message };
}
