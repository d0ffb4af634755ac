/**
 * Local-only secrets (webhook signing secret, the backend's IAM key pair, the station password key),
 * generated once per data directory and kept there (mode 0600), so none is ever in the code.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const Secrets = z.object({
  webhookSecret: z.string().startsWith('whsec_'),
  iam: z.object({ accessKeyId: z.string(), secretAccessKey: z.string() }),
  stationSecret: z.string().min(16),
  backendMqttPassword: z.string().min(16),
  stripeKey: z.string().startsWith('sk_test_'),
  demoPassword: z.string().min(8),
});
export type LocalSecrets = z.infer<typeof Secrets>;

const token = (n: number) => randomBytes(n).toString('base64url');

export function loadLocalSecrets(dataDir: string): LocalSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return Secrets.parse(JSON.parse(readFileSync(file, 'utf8')));
  mkdirSync(dataDir, { recursive: true });
  const s: LocalSecrets = {
    webhookSecret: `whsec_${token(24)}`,
    iam: { accessKeyId: `AKIALOCAL${randomBytes(6).toString('hex').toUpperCase()}`, secretAccessKey: token(30) },
    stationSecret: token(24),
    backendMqttPassword: token(24),
    stripeKey: `sk_test_local${token(18).replace(/[-_]/g, 'x')}`,
    demoPassword: `Demo-${token(6).replace(/[-_]/g, 'x')}9!`,
  };
  writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}
