/**
 * Provisions stations on real AWS IoT Core and writes the JSON the firmware simulator connects with
 * (firmware-sim/src/iot-core-config.ts):
 *   npx tsx infra/aws/scripts/provision-station.ts --stage dev --station st-0001 [--station st-0002]
 *     [--site "Shibuya P1"] [--model breaker] [--ca AmazonRootCA1.pem] [--out-dir .data/iot/dev]
 *   npm run sim -- --iot-config .data/iot/dev/iot-core.json …
 * It drives the AWS CLI (`aws iot …`, credentials from the usual chain) because @aws-sdk/client-iot
 * is not a dependency; each step is idempotent or safe to repeat except that a rerun issues a new
 * certificate (the old one stays attached until revoked).
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { z } from 'zod';
import { StationId, StationModel } from '../../../contracts/station-protocol.js';
import { REPO_ROOT } from '../lib/shared-defs.js';
import { Stage } from '../lib/stage-config.js';

/** Runs `aws <args> --output json` and returns the parsed stdout ({} when the command prints nothing). */
export type AwsCli = (args: string[]) => Promise<unknown>;

export const AMAZON_ROOT_CA1_URL = 'https://www.amazontrust.com/repository/AmazonRootCA1.pem';

const Endpoint = z.object({ endpointAddress: z.string().min(1) });
const KeysAndCert = z.object({
  certificateArn: z.string().startsWith('arn:'),
  certificateId: z.string().min(1),
  certificatePem: z.string().includes('BEGIN CERTIFICATE'),
  keyPair: z.object({ PrivateKey: z.string().includes('PRIVATE KEY') }),
});

export interface ProvisionOptions {
  stage: Stage;
  stations: string[];
  site: string;
  model: StationModel;
  outDir: string;
  /** PEM of Amazon Root CA 1 (read from --ca or downloaded). */
  caPem: string;
}

export interface ProvisionedThing {
  thingName: string;
  certificateArn: string;
  certPath: string;
  keyPath: string;
}

/** The names the CDK stack gives these (infra/aws/lib/constructs/station-fleet.ts). */
export const thingTypeFor = (stage: Stage) => `ev-station-${stage}`;
export const policyFor = (stage: Stage) => `ev-station-${stage}`;

export async function provisionStations(
  aws: AwsCli,
  opts: ProvisionOptions,
): Promise<{ configPath: string; things: ProvisionedThing[] }> {
  const stations = opts.stations.map((s) => StationId.parse(s));
  const { endpointAddress } = Endpoint.parse(
    await aws(['iot', 'describe-endpoint', '--endpoint-type', 'iot:Data-ATS']),
  );
  mkdirSync(opts.outDir, { recursive: true });
  const caPath = join(opts.outDir, 'AmazonRootCA1.pem');
  writeFileSync(caPath, opts.caPem);

  const things: ProvisionedThing[] = [];
  for (const thingName of stations) {
    await aws([
      'iot',
      'create-thing',
      '--thing-name',
      thingName,
      '--thing-type-name',
      thingTypeFor(opts.stage),
      '--attribute-payload',
      JSON.stringify({ attributes: { site: opts.site, model: opts.model } }),
    ]);
    const cert = KeysAndCert.parse(await aws(['iot', 'create-keys-and-certificate', '--set-as-active']));
    const dir = join(opts.outDir, thingName);
    mkdirSync(dir, { recursive: true });
    const certPath = join(dir, `${cert.certificateId}.cert.pem`);
    const keyPath = join(dir, `${cert.certificateId}.private.key`);
    writeFileSync(certPath, cert.certificatePem);
    writeFileSync(keyPath, cert.keyPair.PrivateKey, { mode: 0o600 });
    chmodSync(keyPath, 0o600);
    await aws(['iot', 'attach-policy', '--policy-name', policyFor(opts.stage), '--target', cert.certificateArn]);
    await aws(['iot', 'attach-thing-principal', '--thing-name', thingName, '--principal', cert.certificateArn]);
    things.push({ thingName, certificateArn: cert.certificateArn, certPath, keyPath });
  }

  const rel = (p: string) => relative(opts.outDir, p);
  const config = {
    endpoint: endpointAddress,
    port: 8883,
    caPath: rel(caPath),
    things: things.map((t) => ({ thingName: t.thingName, certPath: rel(t.certPath), keyPath: rel(t.keyPath) })),
  };
  const configPath = join(opts.outDir, 'iot-core.json');
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  return { configPath, things };
}

export function awsCli(region?: string): AwsCli {
  const run = promisify(execFile);
  return async (args) => {
    const { stdout } = await run('aws', [...args, '--output', 'json', ...(region ? ['--region', region] : [])], {
      timeout: 60_000,
      maxBuffer: 1 << 20,
    });
    return stdout.trim() ? JSON.parse(stdout) : {};
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string', default: 'dev' },
      station: { type: 'string', multiple: true },
      site: { type: 'string', default: 'unassigned' },
      model: { type: 'string', default: 'breaker' },
      ca: { type: 'string' },
      region: { type: 'string' },
      'out-dir': { type: 'string' },
    },
  });
  const stage = Stage.parse(values.stage);
  if (!values.station?.length) throw new Error('give at least one --station <id>');
  const caPem = values.ca
    ? readFileSync(values.ca, 'utf8')
    : await fetch(AMAZON_ROOT_CA1_URL, { signal: AbortSignal.timeout(15_000) }).then((r) => {
        if (!r.ok) throw new Error(`downloading Amazon Root CA 1 failed: ${r.status}; pass --ca <file>`);
        return r.text();
      });
  const { configPath, things } = await provisionStations(awsCli(values.region), {
    stage,
    stations: values.station,
    site: values.site,
    model: StationModel.parse(values.model),
    outDir: resolve(values['out-dir'] ?? join(REPO_ROOT, '.data/iot', stage)),
    caPem,
  });
  for (const t of things) process.stdout.write(`provisioned ${t.thingName} (${t.certificateArn})\n`);
  process.stdout.write(`simulator config: ${configPath}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
