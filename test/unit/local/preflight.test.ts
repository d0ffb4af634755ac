import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalConfig, LocalConfigSchema } from '../../../infra/local/stack/local-config.js';
import { DATA_VERSION, PreflightError, type PreflightProbes, preflight } from '../../../infra/local/stack/preflight.js';
import { stackFilePath, writeStackFile } from '../../../infra/local/stack/stack-file.js';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ev-preflight-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const config = (env: Record<string, string> = {}): LocalConfig => ({
  ...LocalConfigSchema.parse({ EV_DATA_DIR: dataDir, ...env }),
  dataDir,
});

/** A machine where everything is fine; each test breaks one thing. */
const probes = (over: Partial<PreflightProbes> = {}): PreflightProbes => ({
  javaFound: () => true,
  portFree: async () => true,
  cleanUpStaleJvm: async () => undefined,
  processAlive: () => false,
  ...over,
});

async function failure(p: Promise<unknown>): Promise<PreflightError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof PreflightError)) throw new Error(`expected a PreflightError, got ${String(e)}`);
  return e;
}

const STACK = {
  startedAt: '2026-01-01T00:00:00.000Z',
  readyInMs: 9_000,
  children: {},
  urls: {
    graphql: 'g',
    realtime: 'r',
    cognito: 'c',
    userPoolId: 'p',
    clientId: 'i',
    stripe: 's',
    webhook: 'w',
    mqtt: 'm',
    mqttWs: 'mw',
    iotData: 'd',
    dynamodb: 'db',
  },
};

describe('preflight', () => {
  it('passes on a fresh data directory and stamps it with the data version', async () => {
    expect(await preflight(config(), probes())).toEqual([]);
    expect(readFileSync(join(dataDir, 'VERSION'), 'utf8').trim()).toBe(String(DATA_VERSION));
  });

  it('says how to install Java when it is missing', async () => {
    const e = await failure(preflight(config(), probes({ javaFound: () => false })));
    expect(e.message).toMatch(/^Java 17\+ is needed for DynamoDB Local and was not found\./);
    expect(e.message).toContain('apt-get install -y default-jre-headless');
    expect(e.message).toContain('bash .ci/setup');
  });

  it('names the port in use, what it is for and the variable that moves it', async () => {
    const e = await failure(
      preflight(config({ EV_PORT_MQTT: '18830' }), probes({ portFree: async (_h, port) => port !== 18830 })),
    );
    expect(e.message).toMatch(/^Port 18830 \(MQTT broker\) is already in use — is another `npm start` running\?/);
    expect(e.message).toContain('EV_PORT_MQTT=<free port> npm start');
  });

  it('skips the ports of parts that are switched off', async () => {
    const busy = new Set([5173, 12111]);
    const cfg = config({
      EV_WEB: 'off',
      EV_STRIPE: 'real',
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_WEBHOOK_SECRET: 'whsec_x',
    });
    await expect(preflight(cfg, probes({ portFree: async (_h, port) => !busy.has(port) }))).resolves.toEqual([]);
  });

  it('refuses a data directory from an older format and says how to keep or drop it', async () => {
    writeFileSync(join(dataDir, 'VERSION'), '0\n');
    const e = await failure(preflight(config(), probes()));
    expect(e.message).toContain(`holds data in format 0; this version uses ${DATA_VERSION}`);
    expect(e.message).toContain(`mv ${dataDir} ${dataDir}.old`);
    expect(e.message).toContain(`rm -rf ${dataDir}`);
  });

  it('refuses a second npm start on a data directory that is in use', async () => {
    writeStackFile(dataDir, { ...STACK, pid: 4242 });
    const e = await failure(preflight(config(), probes({ processAlive: (pid) => pid === 4242 })));
    expect(e.message).toMatch(/^`npm start` is already running with .* \(pid 4242\)/);
    expect(e.message).toContain('EV_DATA_DIR=<dir> npm start');
  });

  it('cleans up after a killed run: drops its stack.json and ends the JVM it left, before checking ports', async () => {
    writeStackFile(dataDir, { ...STACK, pid: 4242 });
    const calls: string[] = [];
    const notes = await preflight(
      config(),
      probes({
        cleanUpStaleJvm: async (file) => {
          calls.push(`jvm ${file}`);
          return 777;
        },
        portFree: async () => {
          calls.push('port');
          return true;
        },
      }),
    );
    expect(notes).toEqual([
      'the previous run (pid 4242) did not stop cleanly; cleaning up after it',
      'ended DynamoDB Local left running by an earlier run (pid 777)',
    ]);
    expect(calls[0]).toBe(`jvm ${join(dataDir, 'dynamodb.pid')}`);
    expect(() => readFileSync(stackFilePath(dataDir))).toThrow();
  });
});
