import { JwtVerifier } from 'aws-jwt-verify';
import { JwtExpiredError } from 'aws-jwt-verify/error';
import { assertIsJwks } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { safeJsonParse } from 'aws-jwt-verify/safe-json-parse';
import type { CognitoAuthConfig, IamAuthConfig, Principal } from './appsync-types.js';
import { type SignedRequest, verifySigV4 } from './sigv4-verifier.js';

export type AuthOutcome = { ok: true; principal: Principal } | { ok: false; message: string };

export interface AuthRequest extends SignedRequest {
  sourceIp: string;
}

export interface Authenticator {
  authenticate(req: AuthRequest): Promise<AuthOutcome>;
}

const LOCAL_ACCOUNT_ID = '000000000000';
const JWKS_FETCH_TIMEOUT_MS = 5_000;
// A client sends the same token with every request until it refreshes; its signature and claims
// cannot change, so once verified only its expiry needs checking again (bounded: tokens churn).
const MAX_VERIFIED_TOKENS = 2_000;

function stringClaim(payload: JwtPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' ? value : undefined;
}

/** AppSync accepts both Cognito token kinds: access (client_id claim) and id (aud claim). */
function checkTokenKind(payload: JwtPayload, clientId: string): string | undefined {
  const tokenUse = stringClaim(payload, 'token_use');
  if (tokenUse === 'access') {
    return stringClaim(payload, 'client_id') === clientId ? undefined : 'Token was not issued for this client.';
  }
  if (tokenUse === 'id') {
    const aud = payload.aud;
    const audiences = Array.isArray(aud) ? aud : [aud];
    return audiences.includes(clientId) ? undefined : 'Token was not issued for this client.';
  }
  return 'Token use must be access or id.';
}

function cognitoPrincipal(payload: JwtPayload, sourceIp: string): Principal {
  const groups = payload['cognito:groups'];
  return {
    mode: 'userPool',
    identity: {
      sub: stringClaim(payload, 'sub') ?? '',
      issuer: stringClaim(payload, 'iss') ?? '',
      username: stringClaim(payload, 'username') ?? stringClaim(payload, 'cognito:username') ?? '',
      claims: payload,
      sourceIp: [sourceIp],
      defaultAuthStrategy: 'ALLOW',
      groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : null,
    },
  };
}

function iamPrincipal(iam: IamAuthConfig, accessKeyId: string, sourceIp: string): Principal {
  const accountId = iam.accountId ?? LOCAL_ACCOUNT_ID;
  return {
    mode: 'iam',
    identity: {
      accountId,
      // An IAM user/role caller (not a Cognito identity pool one) has none of these
      cognitoIdentityPoolId: '',
      cognitoIdentityId: '',
      cognitoIdentityAuthType: '',
      cognitoIdentityAuthProvider: '',
      sourceIp: [sourceIp],
      username: accessKeyId,
      userArn: `arn:aws:iam::${accountId}:user/local-backend`,
    },
  };
}

/**
 * Verifies what AppSync verifies: a Cognito JWT (signature against the pool's JWKS, issuer,
 * expiry, token use, app client) or an IAM SigV4 signature made with the configured credentials.
 */
export function createAuthenticator(cognito: CognitoAuthConfig, iam: IamAuthConfig): Authenticator {
  const verifier = JwtVerifier.create({ issuer: cognito.issuer, audience: null, jwksUri: cognito.jwksUrl });
  // aws-jwt-verify refuses to fetch an http:// JWKS itself, so load cognito-local's into its cache.
  let jwksLoaded: Promise<void> | undefined;
  const loadJwks = (): Promise<void> => {
    jwksLoaded ??= (async () => {
      const res = await fetch(cognito.jwksUrl, { signal: AbortSignal.timeout(JWKS_FETCH_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`JWKS fetch failed with HTTP ${res.status}`);
      const jwks = safeJsonParse(await res.text());
      assertIsJwks(jwks);
      verifier.cacheJwks(jwks);
    })().catch((error: unknown) => {
      jwksLoaded = undefined;
      throw error;
    });
    return jwksLoaded;
  };

  const verified = new Map<string, JwtPayload>();

  async function verifyJwt(token: string, sourceIp: string): Promise<AuthOutcome> {
    const known = verified.get(token);
    if (known) {
      if (typeof known.exp === 'number' && known.exp * 1000 > Date.now()) {
        return { ok: true, principal: cognitoPrincipal(known, sourceIp) };
      }
      verified.delete(token);
    }
    try {
      await loadJwks();
    } catch {
      return { ok: false, message: 'Unable to load the user pool signing keys.' };
    }
    try {
      const payload = verifier.verifySync(token);
      const kindProblem = checkTokenKind(payload, cognito.clientId);
      if (kindProblem) return { ok: false, message: kindProblem };
      if (verified.size >= MAX_VERIFIED_TOKENS) verified.clear();
      verified.set(token, payload);
      return { ok: true, principal: cognitoPrincipal(payload, sourceIp) };
    } catch (error) {
      if (error instanceof JwtExpiredError) return { ok: false, message: 'Token has expired.' };
      return { ok: false, message: error instanceof Error ? error.message : 'Unable to parse JWT token.' };
    }
  }

  return {
    async authenticate(req) {
      const authorization = req.headers.authorization?.trim();
      if (!authorization) return { ok: false, message: 'Valid authorization header not provided.' };
      if (authorization.startsWith('AWS4-HMAC-SHA256')) {
        const outcome = await verifySigV4(req, iam);
        return outcome.ok
          ? { ok: true, principal: iamPrincipal(iam, outcome.accessKeyId, req.sourceIp) }
          : { ok: false, message: outcome.message };
      }
      return verifyJwt(authorization.replace(/^Bearer\s+/i, ''), req.sourceIp);
    },
  };
}
