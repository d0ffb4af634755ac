import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

type Data = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: Data): Buffer | string {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * SHA-256 / HMAC-SHA-256 for `SignatureV4` on Node's native crypto instead of the pure-JS
 * `@aws-crypto/sha256-js`: SigV4 does several hashes and HMACs per request, on every publish and (in
 * the local server) every verification (test/bench/lifecycle/publish-path.bench.ts measures the path).
 */
export class NodeSha256 {
  private hash: Hash | Hmac;
  // Kept for `reset`, as a private copy. (A KeyObject per HMAC cost more than the HMAC itself.)
  private readonly key: Buffer | undefined;

  constructor(secret?: Data) {
    this.key = secret === undefined ? undefined : Buffer.from(toBuffer(secret));
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
