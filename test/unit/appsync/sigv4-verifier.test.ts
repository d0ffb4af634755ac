import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { type SignedRequest, verifySigV4 } from '../../../infra/local/appsync/sigv4-verifier.js';

const CREDS = { accessKeyId: 'AKIALOCAL', secretAccessKey: 'local-secret', region: 'ap-northeast-1' };
const BODY = JSON.stringify({ query: 'mutation { publishStationUpdate(input: {}) { id } }' });

async function signed(
  overrides: { secret?: string; region?: string; service?: string; date?: Date; body?: string } = {},
): Promise<SignedRequest> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: CREDS.accessKeyId, secretAccessKey: overrides.secret ?? CREDS.secretAccessKey },
    region: overrides.region ?? CREDS.region,
    service: overrides.service ?? 'appsync',
    sha256: Sha256,
  });
  const request = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4000,
      path: '/graphql',
      headers: { host: '127.0.0.1:4000', 'content-type': 'application/json' },
      body: BODY,
    }),
    overrides.date ? { signingDate: overrides.date } : {},
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = String(value);
  return { method: 'POST', path: '/graphql', query: {}, headers, body: overrides.body ?? BODY };
}

describe('verifySigV4', () => {
  it('accepts a request signed with the configured credentials for appsync in the configured region', async () => {
    expect(await verifySigV4(await signed(), CREDS)).toEqual({ ok: true, accessKeyId: 'AKIALOCAL' });
  });

  it('rejects a wrong secret, a changed body, a changed signed header', async () => {
    expect((await verifySigV4(await signed({ secret: 'guess' }), CREDS)).ok).toBe(false);
    const req = await signed();
    expect((await verifySigV4({ ...req, body: `${BODY} ` }, CREDS)).ok).toBe(false);
    expect((await verifySigV4({ ...req, headers: { ...req.headers, 'content-type': 'text/plain' } }, CREDS)).ok).toBe(
      false,
    );
  });

  it('does not accept a request once the secret was rotated (signers are cached per key pair)', async () => {
    const req = await signed();
    expect((await verifySigV4(req, CREDS)).ok).toBe(true);
    expect(await verifySigV4(req, { ...CREDS, secretAccessKey: 'rotated-secret' })).toMatchObject({ ok: false });
  });

  it('rejects another region, another service, an unknown key and a missing header', async () => {
    expect((await verifySigV4(await signed({ region: 'us-east-1' }), CREDS)).ok).toBe(false);
    expect((await verifySigV4(await signed({ service: 'execute-api' }), CREDS)).ok).toBe(false);
    expect((await verifySigV4(await signed(), { ...CREDS, accessKeyId: 'AKIAOTHER' })).ok).toBe(false);
    const { authorization: _dropped, ...unsigned } = (await signed()).headers;
    expect((await verifySigV4({ ...(await signed()), headers: unsigned }, CREDS)).ok).toBe(false);
  });

  it('rejects a signature made more than 15 minutes away from the server clock', async () => {
    const now = new Date();
    const old = await signed({ date: new Date(now.getTime() - 16 * 60 * 1000) });
    expect(await verifySigV4(old, CREDS, now)).toMatchObject({ ok: false, message: expect.stringMatching(/expired/) });
    const recent = await signed({ date: new Date(now.getTime() - 60 * 1000) });
    expect((await verifySigV4(recent, CREDS, now)).ok).toBe(true);
  });
});
