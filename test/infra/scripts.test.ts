import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IotCoreConfig, loadIotCoreConfig } from '../../firmware-sim/src/iot-core-config.js';
import { type AwsCli, provisionStations } from '../../infra/aws/scripts/provision-station.js';
import { webConfigFromOutputs } from '../../infra/aws/scripts/web-config.js';
import { RuntimeConfigSchema } from '../../web/src/config/runtime-config.js';

describe('web-config: stack outputs → web/public/config.json', () => {
  const outputs = {
    'EvCharge-dev': {
      Region: 'ap-northeast-1',
      UserPoolId: 'ap-northeast-1_AbCdEf123',
      UserPoolClientId: '4k2l3m4n5o6p7q8r9s0t1u2v3w',
      GraphqlEndpoint: 'https://abc.appsync-api.ap-northeast-1.amazonaws.com/graphql',
      StripeWebhookUrl: 'https://xyz.lambda-url.ap-northeast-1.on.aws/',
    },
  };

  it('produces the runtime config the web app parses, signing in with SRP', () => {
    const config = webConfigFromOutputs(outputs, 'EvCharge-dev');
    expect(RuntimeConfigSchema.parse(config)).toEqual({
      region: 'ap-northeast-1',
      userPoolId: 'ap-northeast-1_AbCdEf123',
      userPoolClientId: '4k2l3m4n5o6p7q8r9s0t1u2v3w',
      graphqlEndpoint: 'https://abc.appsync-api.ap-northeast-1.amazonaws.com/graphql',
      authFlowType: 'USER_SRP_AUTH',
    });
  });

  it('names the stacks it has when the stage was not deployed, and rejects missing outputs', () => {
    expect(() => webConfigFromOutputs(outputs, 'EvCharge-prod')).toThrow(/EvCharge-dev/);
    expect(() => webConfigFromOutputs({ 'EvCharge-dev': { Region: 'x' } }, 'EvCharge-dev')).toThrow(/UserPoolId/);
  });
});

describe('provision-station', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** Answers like `aws iot … --output json` would, and records each call. */
  function fakeAws(): { aws: AwsCli; calls: string[][] } {
    const calls: string[][] = [];
    let n = 0;
    const aws: AwsCli = async (args) => {
      calls.push(args);
      const cmd = args.slice(0, 2).join(' ');
      if (cmd === 'iot describe-endpoint') return { endpointAddress: 'a1b2c3-ats.iot.ap-northeast-1.amazonaws.com' };
      if (cmd === 'iot create-thing') return { thingName: args[3], thingArn: `arn:aws:iot:::thing/${args[3]}` };
      if (cmd === 'iot create-keys-and-certificate') {
        n += 1;
        return {
          certificateArn: `arn:aws:iot:ap-northeast-1:123456789012:cert/c${n}`,
          certificateId: `c${n}`,
          certificatePem: `-----BEGIN CERTIFICATE-----\ncert${n}\n-----END CERTIFICATE-----\n`,
          keyPair: {
            PublicKey: 'pub',
            PrivateKey: `-----BEGIN RSA PRIVATE KEY-----\nkey${n}\n-----END RSA PRIVATE KEY-----\n`,
          },
        };
      }
      return {};
    };
    return { aws, calls };
  }

  it('creates each thing, a certificate attached to it and to the stage policy', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'ev-provision-'));
    dirs.push(outDir);
    const { aws, calls } = fakeAws();
    await provisionStations(aws, {
      stage: 'dev',
      stations: ['st-0001', 'st-0002'],
      site: 'Shibuya P1',
      model: 'breaker',
      outDir,
      caPem: '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n',
    });
    const summary = calls.map((c) => c.slice(0, 2).join(' '));
    expect(summary).toEqual([
      'iot describe-endpoint',
      ...['st-0001', 'st-0002'].flatMap(() => [
        'iot create-thing',
        'iot create-keys-and-certificate',
        'iot attach-policy',
        'iot attach-thing-principal',
      ]),
    ]);
    expect(calls[1]).toEqual(
      expect.arrayContaining(['--thing-name', 'st-0001', '--thing-type-name', 'ev-station-dev']),
    );
    expect(calls[3]).toEqual([
      'iot',
      'attach-policy',
      '--policy-name',
      'ev-station-dev',
      '--target',
      'arn:aws:iot:ap-northeast-1:123456789012:cert/c1',
    ]);
    expect(calls[4]).toEqual(
      expect.arrayContaining([
        '--thing-name',
        'st-0001',
        '--principal',
        'arn:aws:iot:ap-northeast-1:123456789012:cert/c1',
      ]),
    );
  });

  it('writes the config the firmware simulator loads, with the private key readable by the owner only', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'ev-provision-'));
    dirs.push(outDir);
    const { aws } = fakeAws();
    const { configPath, things } = await provisionStations(aws, {
      stage: 'prod',
      stations: ['st-0001'],
      site: 'Umeda',
      model: 'mode3',
      outDir,
      caPem: '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n',
    });
    const json = JSON.parse(readFileSync(configPath, 'utf8'));
    expect(IotCoreConfig.parse(json)).toMatchObject({
      endpoint: 'a1b2c3-ats.iot.ap-northeast-1.amazonaws.com',
      port: 8883,
    });
    const target = loadIotCoreConfig(configPath);
    expect(target.url).toBe('mqtts://a1b2c3-ats.iot.ap-northeast-1.amazonaws.com:8883');
    expect(target.ids).toEqual(['st-0001']);
    expect(target.authFor('st-0001')).toMatchObject({ kind: 'x509' });
    expect(statSync(things[0]!.keyPath).mode & 0o777).toBe(0o600);
  });

  it('refuses a station id that cannot be a thing name or topic level', async () => {
    const { aws, calls } = fakeAws();
    await expect(
      provisionStations(aws, {
        stage: 'dev',
        stations: ['st/1'],
        site: 's',
        model: 'breaker',
        outDir: tmpdir(),
        caPem: '',
      }),
    ).rejects.toThrow(/station id/);
    expect(calls).toEqual([]);
  });
});
