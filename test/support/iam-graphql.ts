import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface IamCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export interface RawResponse {
  status: number;
  body: unknown;
}

/**
 * A GraphQL call signed with SigV4 for service `appsync`, the way the backend's publisher signs
 * its IAM-only mutations. `tamper` changes the body after signing (to prove the signature covers it).
 */
export async function iamGraphql(
  url: string,
  creds: IamCredentials,
  query: string,
  variables: Record<string, unknown> = {},
  tamper?: (body: string) => string,
): Promise<RawResponse> {
  const target = new URL(url);
  const body = JSON.stringify({ query, variables });
  const signer = new SignatureV4({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    region: creds.region,
    service: 'appsync',
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: target.protocol,
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      headers: { host: target.host, 'content-type': 'application/json' },
      body,
    }),
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) if (name !== 'host') headers[name] = String(value);
  const res = await fetch(url, { method: 'POST', headers, body: tamper ? tamper(body) : body });
  return { status: res.status, body: await res.json() };
}

/** An unsigned-or-token call, for probing what the server does with a given Authorization header. */
export async function rawGraphql(
  url: string,
  authorization: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<RawResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: await res.json() };
}
