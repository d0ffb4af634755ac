import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STATION_EVENTS_RULE, STATION_METER_RULE } from '../../contracts/iot-rule.js';
import { TABLE_SPECS } from '../../functions/src/adapters/dynamodb/tables.js';
import { HANDLERS, type HandlerName, SCHEMA_PATH } from '../../infra/aws/lib/shared-defs.js';
import { MAX_QUERY_DEPTH, MAX_RESOLVER_COUNT } from '../../infra/local/appsync/query-limits.js';
import { arnOf, functionId, ofType, propsOf, ref, single, synthStage } from './synth-helpers.js';

type Synth = ReturnType<typeof synthStage>;
let s: Synth;
const fn = (name: HandlerName) => functionId(s.resources, 'dev', name);

beforeAll(() => {
  s = synthStage('dev');
}, 120_000);

describe('Lambda functions', () => {
  it('runs one function per handler on arm64 with the Node.js 24 runtime and X-Ray', () => {
    for (const name of HANDLERS) {
      const props = s.resources[fn(name)]?.Properties;
      expect(props, name).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: expect.anything() },
      });
    }
  });

  it('gives every function the configuration config.ts requires, source maps on', () => {
    for (const name of HANDLERS) {
      const env = envOf(name);
      expect(Object.keys(env), name).toEqual(
        expect.arrayContaining(['STAGE', 'TABLE_SESSIONS', 'TABLE_DRIVERS', 'TABLE_STATIONS', 'TABLE_EVENTS']),
      );
      expect(env.STRIPE_SECRET_ID, name).toEqual(ref(idOf('AWS::SecretsManager::Secret', 'StripeApiKey')));
      expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
    }
    const start = envOf('start-charge');
    expect(start.APPSYNC_GRAPHQL_URL).toEqual({
      'Fn::GetAtt': [idOf('AWS::AppSync::GraphQLApi', 'Graphql'), 'GraphQLUrl'],
    });
    expect(start.IOT_DATA_ENDPOINT).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [idOf('Custom::AWS', 'IotEndpointLookup'), 'endpointAddress'] }]],
    });
    // API → user pool → trigger: the trigger cannot reference the API without a cycle.
    expect(envOf('post-confirmation').APPSYNC_GRAPHQL_URL).toBeUndefined();
    expect(envOf('queries').STRIPE_WEBHOOK_SECRET_ID).toBeUndefined();
    expect(envOf('stripe-webhook').STRIPE_WEBHOOK_SECRET_ID).toEqual(
      ref(idOf('AWS::SecretsManager::Secret', 'StripeWebhookSecret')),
    );
  });

  it('limits the post-confirmation trigger to the 5 s Cognito waits', () => {
    expect(s.resources[fn('post-confirmation')]?.Properties?.Timeout).toBeLessThanOrEqual(5);
  });

  it('reserves concurrency for the functions that call Stripe on a burst, not for reads', () => {
    for (const name of [
      'start-charge',
      'stop-charge',
      'pay-outstanding',
      'stripe-webhook',
      'station-events',
    ] as const) {
      expect(s.resources[fn(name)]?.Properties?.ReservedConcurrentExecutions, name).toBeGreaterThan(0);
    }
    expect(s.resources[fn('queries')]?.Properties?.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('sends failed async invocations (IoT rule, schedule) to a queue after two retries', () => {
    for (const name of ['station-events', 'sweeper', 'reconcile'] as const) {
      s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: ref(fn(name)),
        MaximumRetryAttempts: 2,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('Failures'), 'Arn'] } },
        },
      });
    }
  });

  it('runs the sweeper every minute', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: arnOf(fn('sweeper')) })],
    });
  });

  it('runs reconciliation every 15 minutes', () => {
    s.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ Arn: arnOf(fn('reconcile')) })],
    });
  });
});

describe('DynamoDB', () => {
  it('creates the adapters’ tables on demand with point-in-time recovery', () => {
    const tables = ofType(s.resources, 'AWS::DynamoDB::GlobalTable');
    expect(tables).toHaveLength(Object.keys(TABLE_SPECS).length);
    for (const [, t] of tables) {
      expect(t.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        Replicas: [expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      });
    }
  });

  it('expires processed-event ids by TTL and indexes sessions by driver and by state', () => {
    s.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    s.template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'byDriver' }), Match.objectLike({ IndexName: 'byState' })],
    });
  });
});

describe('Cognito', () => {
  it('signs drivers up by e-mail with a custom Stripe customer id attribute', () => {
    s.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      Schema: Match.arrayWith([Match.objectLike({ Name: 'stripe_customer_id', AttributeDataType: 'String' })]),
      LambdaConfig: { PostConfirmation: arnOf(fn('post-confirmation')) },
    });
  });

  it('has a public app client for SRP and USER_PASSWORD_AUTH that cannot write the Stripe id', () => {
    const client = single(s.resources, 'AWS::Cognito::UserPoolClient');
    expect(client.props.ExplicitAuthFlows).toEqual(
      expect.arrayContaining(['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH']),
    );
    expect(client.props.GenerateSecret).toBe(false);
    expect(client.props.ReadAttributes).toContain('custom:stripe_customer_id');
    expect(client.props.WriteAttributes).not.toContain('custom:stripe_customer_id');
  });

  it('has an operators group', () => {
    s.template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'operators' });
  });
});

describe('AppSync', () => {
  it('serves contracts/schema.graphql with user pools by default and IAM as the extra mode', () => {
    s.template.hasResourceProperties('AWS::AppSync::GraphQLSchema', {
      Definition: readFileSync(SCHEMA_PATH, 'utf8'),
    });
    s.template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      AuthenticationType: 'AMAZON_COGNITO_USER_POOLS',
      AdditionalAuthenticationProviders: [{ AuthenticationType: 'AWS_IAM' }],
      XrayEnabled: true,
      LogConfig: { FieldLogLevel: 'ERROR', ExcludeVerboseContent: true, CloudWatchLogsRoleArn: Match.anyValue() },
    });
  });

  it('refuses the documents the local server refuses: depth over 10, more than 10 resolvers', () => {
    s.template.hasResourceProperties('AWS::AppSync::GraphQLApi', {
      QueryDepthLimit: MAX_QUERY_DEPTH,
      ResolverCountLimit: MAX_RESOLVER_COUNT,
    });
    expect([MAX_QUERY_DEPTH, MAX_RESOLVER_COUNT]).toEqual([10, 10]);
  });

  it('resolves queries and driver mutations with direct Lambda resolvers', () => {
    const expected: [HandlerName, string, string][] = [
      ['start-charge', 'Mutation', 'startCharge'],
      ['stop-charge', 'Mutation', 'stopCharge'],
      ['pay-outstanding', 'Mutation', 'payOutstanding'],
      ...(['stations', 'station', 'me', 'mySessions', 'session'] as const).map((f): [HandlerName, string, string] => [
        'queries',
        'Query',
        f,
      ]),
    ];
    for (const [handler, typeName, fieldName] of expected) {
      const ds = single(
        s.resources,
        'AWS::AppSync::DataSource',
        (d) => JSON.stringify(d.Properties?.LambdaConfig) === JSON.stringify({ LambdaFunctionArn: arnOf(fn(handler)) }),
      );
      s.template.hasResourceProperties('AWS::AppSync::Resolver', {
        TypeName: typeName,
        FieldName: fieldName,
        DataSourceName: ds.props.Name,
        Kind: 'UNIT',
        Code: Match.absent(),
      });
    }
  });

  it('publishes through a NONE data source with an APPSYNC_JS pass-through', () => {
    s.template.hasResourceProperties('AWS::AppSync::DataSource', { Name: 'Publish', Type: 'NONE' });
    for (const field of ['publishSessionUpdate', 'publishStationUpdate']) {
      s.template.hasResourceProperties('AWS::AppSync::Resolver', {
        TypeName: 'Mutation',
        FieldName: field,
        DataSourceName: 'Publish',
        Runtime: { Name: 'APPSYNC_JS', RuntimeVersion: '1.0.0' },
        Code: Match.stringLikeRegexp('payload: ctx\\.args\\.input'),
      });
    }
  });

  it('delivers onSessionUpdate only to the session owner (enhanced filter on ctx.identity.sub)', () => {
    const resolver = single(
      s.resources,
      'AWS::AppSync::Resolver',
      (r) => r.Properties?.FieldName === 'onSessionUpdate',
    );
    expect(resolver.props.TypeName).toBe('Subscription');
    expect(resolver.props.Code).toContain('extensions.setSubscriptionFilter');
    expect(resolver.props.Code).toMatch(/driverId: \{ eq: ctx\.identity\.sub \}/);
  });

  it('delivers onMySessionUpdates only to the owner (enhanced filter on ctx.identity.sub, no arguments)', () => {
    const resolver = single(
      s.resources,
      'AWS::AppSync::Resolver',
      (r) => r.Properties?.FieldName === 'onMySessionUpdates',
    );
    expect(resolver.props.TypeName).toBe('Subscription');
    expect(resolver.props.DataSourceName).toBe('Publish');
    expect(resolver.props.Code).toContain('extensions.setSubscriptionFilter');
    expect(resolver.props.Code).toMatch(/toSubscriptionFilter\(\{ driverId: \{ eq: ctx\.identity\.sub \} \}\)/);
  });
});

describe('IoT Core', () => {
  it('defines the station thing type', () => {
    s.template.hasResourceProperties('AWS::IoT::ThingType', { ThingTypeName: 'ev-station-dev' });
  });

  it('routes acks/events/state/conn to station-events with the contract SQL and an error queue', () => {
    s.template.hasResourceProperties('AWS::IoT::TopicRule', {
      RuleName: 'ev_station_events_dev',
      TopicRulePayload: {
        Sql: STATION_EVENTS_RULE.sql,
        Actions: [{ Lambda: { FunctionArn: arnOf(fn('station-events')) } }],
        ErrorAction: { Sqs: Match.objectLike({ QueueUrl: ref(idOf('AWS::SQS::Queue', 'StationsRuleErrors')) }) },
      },
    });
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: arnOf(fn('station-events')),
      Principal: 'iot.amazonaws.com',
      SourceArn: arnOf(idOf('AWS::IoT::TopicRule', 'StationsStationEventsRule')),
    });
  });

  it('routes presence events to station-events too', () => {
    s.template.hasResourceProperties('AWS::IoT::TopicRule', {
      TopicRulePayload: {
        Sql: Match.stringLikeRegexp("FROM '\\$aws/events/presence/\\+/\\+'"),
        Actions: [{ Lambda: { FunctionArn: arnOf(fn('station-events')) } }],
        ErrorAction: Match.anyValue(),
      },
    });
  });

  it('batches meter reports: rule → SQS → meter-batch, 100 per batch, partial failures, DLQ', () => {
    const meterQueue = idOf('AWS::SQS::Queue', 'StationsMeterReports');
    s.template.hasResourceProperties('AWS::IoT::TopicRule', {
      TopicRulePayload: {
        Sql: STATION_METER_RULE.sql,
        Actions: [{ Sqs: Match.objectLike({ QueueUrl: ref(meterQueue), UseBase64: false }) }],
        ErrorAction: Match.anyValue(),
      },
    });
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: ref(fn('meter-batch')),
      EventSourceArn: arnOf(meterQueue),
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 2,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(s.resources[meterQueue]?.Properties?.RedrivePolicy).toMatchObject({
      deadLetterTargetArn: arnOf(idOf('AWS::SQS::Queue', 'StationsMeterDeadLetters')),
    });
  });
});

describe('Stripe webhook endpoint', () => {
  it('is a function URL on stripe-webhook with auth NONE (Stripe signs), the only URL', () => {
    const urls = ofType(s.resources, 'AWS::Lambda::Url');
    expect(urls).toHaveLength(1);
    expect(urls[0]?.[1].Properties).toMatchObject({ AuthType: 'NONE', TargetFunctionArn: arnOf(fn('stripe-webhook')) });
  });
});

describe('outputs', () => {
  it('exports what the web app config.json is generated from', () => {
    expect(Object.keys(s.outputs)).toEqual(
      expect.arrayContaining(['Region', 'UserPoolId', 'UserPoolClientId', 'GraphqlEndpoint', 'StripeWebhookUrl']),
    );
    expect(s.outputs.Region?.Value).toBe('ap-northeast-1');
  });
});

function idOf(type: string, prefix: string): string {
  const hits = ofType(s.resources, type).filter(([id]) => id.startsWith(prefix));
  if (hits.length !== 1) throw new Error(`${hits.length} ${type} resources start with ${prefix}`);
  return hits[0]![0];
}

function envOf(name: HandlerName): Record<string, unknown> {
  return (propsOf(s.resources, fn(name)).Environment as { Variables: Record<string, unknown> }).Variables;
}
