import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { type SignedRequest, verifySigV4 } from '../../../infra/local/iot/sigv4-verify.js';

const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret' };
const now = new Date('2026-11-22T00:00:00Z');

async function signed(body = '{"a":1}'): Promise<SignedRequest> {
  const signer = new SignatureV4({ service: 'iotdata', region: 'ap-northeast-1', credentials, sha256: Sha256 });
  const req = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4000,
      path: '/topics/ev%2Fv1%2Fst%2FA%2Fcmd',
      query: { qos: '1' },
      headers: { host: '127.0.0.1:4000', 'content-type': 'application/octet-stream' },
      body,
    }),
    { signingDate: now },
  );
  return {
    method: 'POST',
    host: '127.0.0.1',
    path: '/topics/ev%2Fv1%2Fst%2FA%2Fcmd',
    query: new URLSearchParams({ qos: '1' }),
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: Buffer.from(body),
  };
}

describe('verifySigV4', () => {
  it('accepts a request signed with the known key', async () => {
    expect(await verifySigV4(await signed(), { service: 'iotdata', credentials, now })).toEqual({ ok: true });
  });

  it('rejects a changed query, a wrong key, an old signature and a foreign service', async () => {
    const r = await signed();
    const tampered = { ...r, query: new URLSearchParams({ qos: '0' }) };
    expect(await verifySigV4(tampered, { service: 'iotdata', credentials, now })).toMatchObject({ ok: false });
    const wrongKey = { ...credentials, secretAccessKey: 'other' };
    expect(await verifySigV4(r, { service: 'iotdata', credentials: wrongKey, now })).toMatchObject({
      reason: 'signature does not match',
    });
    const later = new Date(now.getTime() + 16 * 60_000);
    expect(await verifySigV4(r, { service: 'iotdata', credentials, now: later })).toMatchObject({
      reason: 'signature expired',
    });
    expect(await verifySigV4(r, { service: 'execute-api', credentials, now })).toMatchObject({ ok: false });
  });

  it('without a key, checks only that a SigV4 Authorization header and date are present', async () => {
    const r = await signed();
    expect(await verifySigV4(r, { service: 'iotdata' })).toEqual({ ok: true });
    expect(
      await verifySigV4({ ...r, headers: { ...r.headers, authorization: 'Bearer x' } }, { service: 'iotdata' }),
    ).toMatchObject({
      reason: 'missing or malformed SigV4 Authorization header',
    });
  });
});
