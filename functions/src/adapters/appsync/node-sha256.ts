import { createHash, createHmac, createSecretKey, type Hash, type Hmac, type KeyObject } from 'node:crypto';

type Data = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: Data): Buffer | string {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * SHA-256 / HMAC-SHA-256 for `SignatureV4` on Node's native crypto. The pure-JS `@aws-crypto/sha256-js`
 * costs tens of microseconds per hash; SigV4 does several hashes and HMACs per request, on every
 * publish and (in the local server) every verification.
 */
export class NodeSha256 {
  private hash: Hash | Hmac;
  // A KeyObject, not the raw bytes: `reset` needs the key again
  private readonly key: KeyObject | undefined;

  constructor(secret?: Data) {
    this.key = secret === undefined ? undefined : createSecretKey(Buffer.from(toBuffer(secret)));
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.key === undefined ? createHash('sha256') : createHmac('sha256', this.key);
  }

  update(data: Data): void {
    this.hash.update(toBuffer(data));
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.fresh();
  }
}
