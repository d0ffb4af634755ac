import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { lambdaBundling } from '../../infra/aws/lib/bundling.js';
import { TABLE_KEYS } from '../../infra/aws/lib/shared-defs.js';
import { PLACEHOLDER_ACCOUNT, stageConfig } from '../../infra/aws/lib/stage-config.js';
import { functionId, ofType, single, synthStage } from './synth-helpers.js';

describe('stageConfig (CDK context)', () => {
  it('defaults to dev in Tokyo with a placeholder account so synth needs no credentials', () => {
    const c = stageConfig({}, {});
    expect(c).toMatchObject({ stage: 'dev', region: 'ap-northeast-1', account: PLACEHOLDER_ACCOUNT, isProd: false });
  });

  it('takes the account and region the CDK CLI resolved from credentials', () => {
    const c = stageConfig({}, { CDK_DEFAULT_ACCOUNT: '111122223333', CDK_DEFAULT_REGION: 'us-east-1' });
    expect(c).toMatchObject({ account: '111122223333', region: 'us-east-1' });
  });

  it('rejects an unknown stage or a malformed e-mail instead of deploying half-configured', () => {
    expect(() => stageConfig({ stage: 'staging' }, {})).toThrow(/invalid CDK context/);
    expect(() => stageConfig({ alarmEmail: 'ops' }, {})).toThrow(/alarmEmail/);
  });

  it('drops every reservation with reservedConcurrency=off (new accounts have a quota of 10)', () => {
    expect(stageConfig({ reservedConcurrency: 'off' }, {}).reservedConcurrency).toBeUndefined();
  });
});

describe('bundling options shared by CDK and scripts/bundle-sizes.ts', () => {
  it('bundles minified ESM for Node 24 with source maps, leaving the runtime’s AWS SDK out', () => {
    expect(lambdaBundling()).toMatchObject({
      format: 'esm',
      target: 'node24',
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      externalModules: ['@aws-sdk/*'],
    });
  });
});

describe('prod stage', () => {
  let s: ReturnType<typeof synthStage>;
  beforeAll(() => {
    s = synthStage('prod', { alarmEmail: 'ops@example.jp' });
  }, 120_000);

  it('keeps and protects every table', () => {
    const tables = ofType(s.resources, 'AWS::DynamoDB::GlobalTable');
    expect(tables.length).toBe(TABLE_KEYS.length);
    for (const [id, t] of tables) {
      expect(t.DeletionPolicy, id).toBe('Retain');
      const replicas = t.Properties?.Replicas as { DeletionProtectionEnabled: boolean }[] | undefined;
      expect(replicas?.[0]?.DeletionProtectionEnabled, id).toBe(true);
    }
  });

  it('keeps and protects the user pool and the Stripe secrets', () => {
    const pool = single(s.resources, 'AWS::Cognito::UserPool');
    expect(pool.resource.DeletionPolicy).toBe('Retain');
    expect(pool.props.DeletionProtection).toBe('ACTIVE');
    for (const [, secret] of ofType(s.resources, 'AWS::SecretsManager::Secret'))
      expect(secret.DeletionPolicy).toBe('Retain');
    expect(s.stack.terminationProtection).toBe(true);
  });

  it('reserves production concurrency for the charging path', () => {
    const reserved = (name: 'start-charge' | 'stripe-webhook' | 'station-events') =>
      s.resources[functionId(s.resources, 'prod', name)]?.Properties?.ReservedConcurrentExecutions;
    expect(reserved('start-charge')).toBe(20);
    expect(reserved('stripe-webhook')).toBe(20);
    expect(reserved('station-events')).toBe(50);
  });

  it('names stage-scoped IoT resources so dev and prod can share an account', () => {
    s.template.hasResourceProperties('AWS::IoT::Policy', { PolicyName: 'ev-station-prod' });
    const names = ofType(s.resources, 'AWS::IoT::TopicRule').map(([, r]) => r.Properties?.RuleName);
    expect(names.sort()).toEqual(['ev_station_events_prod', 'ev_station_meter_prod', 'ev_station_presence_prod']);
  });

  it('passes cdk-nag AwsSolutions too', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  }, 60_000);

  it('subscribes the operators’ e-mail to the alarm topic', () => {
    s.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.jp' });
  });
});
