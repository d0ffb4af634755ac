/** Who may call what: every grant in the stack, read back from the synthesized template. */
import { beforeAll, describe, expect, it } from 'vitest';
import { THING_NAME_VAR } from '../../infra/aws/lib/constructs/station-fleet.js';
import { DYNAMODB_WRITE_ACTIONS } from '../../infra/aws/lib/grants.js';
import { HANDLERS, type HandlerName } from '../../infra/aws/lib/shared-defs.js';
import {
  actionsOf,
  allowing,
  type CfnResource,
  functionId,
  ofType,
  propsOf,
  resourcesOf,
  type Statement,
  statementsOf,
  synthStage,
  TEST_ACCOUNT,
  TEST_REGION,
} from './synth-helpers.js';

let s: ReturnType<typeof synthStage>;
const fn = (name: HandlerName) => functionId(s.resources, 'dev', name);
const idOf = (type: string, prefix: string) => {
  const hits = ofType(s.resources, type).filter(([id]) => id.startsWith(prefix));
  if (hits.length !== 1) throw new Error(`${hits.length} ${type} start with ${prefix}`);
  return hits[0]![0];
};
/** Handlers whose role allows `action` on a resource whose JSON mentions `resourceMark`. */
const whoMay = (action: string, resourceMark?: string) =>
  HANDLERS.filter((h) =>
    allowing(s.resources, fn(h), action).some(
      (st) => resourceMark === undefined || JSON.stringify(st.Resource).includes(resourceMark),
    ),
  );

beforeAll(() => {
  s = synthStage('dev');
}, 120_000);

describe('publish mutations (IAM-only)', () => {
  const PUBLISHERS = ['start-charge', 'stop-charge', 'stripe-webhook', 'station-events', 'meter-batch', 'sweeper'];

  it('only the functions that push live updates may call them', () => {
    expect(whoMay('appsync:GraphQL')).toEqual(PUBLISHERS);
  });

  it('on exactly the two publish fields, nothing else in the API', () => {
    const resources = PUBLISHERS.flatMap((h) =>
      allowing(s.resources, fn(h as HandlerName), 'appsync:GraphQL').flatMap(resourcesOf),
    );
    const fields = new Set(
      resources.map((r) =>
        JSON.stringify(r)
          .match(/types\/(\w+)\/fields\/(\w+)/)
          ?.slice(1)
          .join('.'),
      ),
    );
    expect([...fields].sort()).toEqual(['Mutation.publishSessionUpdate', 'Mutation.publishStationUpdate']);
  });

  it('no other role in the stack may call the API', () => {
    const apiCallers = ofType(s.resources, 'AWS::IAM::Policy').filter(([, p]) =>
      policyStatements(p).some((st) => actionsOf(st).some((a) => a.startsWith('appsync:'))),
    );
    expect(apiCallers).toHaveLength(PUBLISHERS.length);
  });
});

describe('Stripe secrets', () => {
  it('the API key is readable only by the functions that call Stripe', () => {
    const secret = idOf('AWS::SecretsManager::Secret', 'StripeApiKey');
    expect(whoMay('secretsmanager:GetSecretValue', secret)).toEqual([
      'start-charge',
      'stop-charge',
      'pay-outstanding',
      'stripe-webhook',
      'station-events',
      'post-confirmation',
      'sweeper',
      'reconcile',
    ]);
  });

  it('the webhook signing secret is readable by the webhook only', () => {
    const secret = idOf('AWS::SecretsManager::Secret', 'StripeWebhookSecret');
    expect(whoMay('secretsmanager:GetSecretValue', secret)).toEqual(['stripe-webhook']);
  });
});

describe('DynamoDB access', () => {
  const tablesOf = (st: Statement[]) =>
    [...new Set(st.flatMap(resourcesOf).map((r) => JSON.stringify(r).match(/Data(\w+?)[0-9A-F]{8}/)?.[1]))].sort();
  const dynamoStatements = (h: HandlerName) =>
    statementsOf(s.resources, fn(h)).filter((x) => actionsOf(x).some((a) => a.startsWith('dynamodb:')));
  const writes = (st: Statement) =>
    actionsOf(st).some((a) => (DYNAMODB_WRITE_ACTIONS as readonly string[]).includes(a));

  it('queries reads sessions, drivers and stations, and writes only anomalies (an operator’s review)', () => {
    const st = dynamoStatements('queries');
    expect(tablesOf(st)).toEqual(['Anomalies', 'Drivers', 'Sessions', 'Stations']);
    expect(tablesOf(st.filter(writes))).toEqual(['Anomalies']);
  });

  it('reconcile reads sessions and stations and writes only anomalies', () => {
    const st = dynamoStatements('reconcile');
    expect(tablesOf(st)).toEqual(['Anomalies', 'Sessions', 'Stations']);
    expect(tablesOf(st.filter(writes))).toEqual(['Anomalies']);
  });

  it('meter-batch cannot touch drivers or processed events', () => {
    const mark = JSON.stringify(statementsOf(s.resources, fn('meter-batch')));
    expect(mark).not.toContain('DataDrivers');
    expect(mark).not.toContain('DataProcessedEvents');
  });

  it('grants name each index instead of table/index/*', () => {
    const all = HANDLERS.flatMap((h) => statementsOf(s.resources, fn(h))).flatMap(resourcesOf);
    const indexArns = all.map((r) => JSON.stringify(r)).filter((r) => r.includes('/index/'));
    expect(indexArns.length).toBeGreaterThan(0);
    for (const r of indexArns) expect(r).toMatch(/\/index\/(byDriver|byState|byStatus)"/);
  });
});

describe('least privilege', () => {
  it('no handler statement uses Resource "*" except X-Ray, which has no resource-level permissions', () => {
    for (const h of HANDLERS) {
      const starred = statementsOf(s.resources, fn(h)).filter((st) => resourcesOf(st).includes('*'));
      expect(starred.flatMap(actionsOf).sort(), h).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });

  it('each function writes logs to its own log group only', () => {
    for (const h of HANDLERS) {
      const logGroup = (propsOf(s.resources, fn(h)).LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logs = allowing(s.resources, fn(h), 'logs:PutLogEvents');
      expect(logs.flatMap(resourcesOf), h).toEqual([{ 'Fn::GetAtt': [logGroup, 'Arn'] }]);
    }
  });

  it('only the functions that command breakers may publish, and only on …/cmd', () => {
    expect(whoMay('iot:Publish')).toEqual([
      'start-charge',
      'stop-charge',
      'stripe-webhook',
      'station-events',
      'sweeper',
    ]);
    const resources = new Set(
      HANDLERS.flatMap((h) => allowing(s.resources, fn(h), 'iot:Publish').flatMap(resourcesOf)).map((r) =>
        JSON.stringify(r),
      ),
    );
    expect([...resources]).toEqual([
      JSON.stringify({
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, `:iot:${TEST_REGION}:${TEST_ACCOUNT}:topic/ev/v1/st/*/cmd`],
        ],
      }),
    ]);
  });

  it('post-confirmation may set attributes on this user pool and no other', () => {
    const pool = idOf('AWS::Cognito::UserPool', 'IdentityDrivers');
    const st = ofType(s.resources, 'AWS::IAM::Policy')
      .flatMap(([, p]) => policyStatements(p))
      .filter((x) => actionsOf(x).some((a) => a.startsWith('cognito-idp:')));
    expect(st).toHaveLength(1);
    expect(actionsOf(st[0]!)).toEqual(['cognito-idp:AdminUpdateUserAttributes']);
    expect(JSON.stringify(st[0]!.Resource)).toContain(JSON.stringify({ Ref: pool }));
    const attached = ofType(s.resources, 'AWS::IAM::Policy').find(([, p]) => policyStatements(p).includes(st[0]!));
    const roleOfTrigger = (propsOf(s.resources, fn('post-confirmation')).Role as { 'Fn::GetAtt': [string] })[
      'Fn::GetAtt'
    ][0];
    expect(attached?.[1].Properties?.Roles).toEqual([{ Ref: roleOfTrigger }]);
  });

  it('the webhook URL is the only public entry, and Cognito may invoke only its trigger', () => {
    const perms = ofType(s.resources, 'AWS::Lambda::Permission').map(([, p]) => p.Properties ?? {});
    expect(perms.filter((p) => p.FunctionUrlAuthType === 'NONE').map((p) => p.FunctionName)).toEqual([
      { 'Fn::GetAtt': [fn('stripe-webhook'), 'Arn'] },
    ]);
    expect(perms.filter((p) => p.Principal === 'cognito-idp.amazonaws.com').map((p) => p.FunctionName)).toEqual([
      { 'Fn::GetAtt': [fn('post-confirmation'), 'Arn'] },
    ]);
  });
});

describe('station IoT policy', () => {
  const doc = () =>
    (
      propsOf(s.resources, idOf('AWS::IoT::Policy', 'StationsStationPolicy')).PolicyDocument as {
        Statement: Statement[];
      }
    ).Statement;
  const byAction = (a: string) => doc().filter((st) => actionsOf(st).includes(a));

  it('lets a station connect only as its own thing, with a certificate attached to it', () => {
    const [connect] = byAction('iot:Connect');
    expect(text(connect?.Resource)).toContain(`:client/${THING_NAME_VAR}`);
    expect(connect?.Condition).toEqual({ Bool: { 'iot:Connection.Thing.IsAttached': 'true' } });
  });

  it('subscribes and receives only its own cmd topic', () => {
    expect(text(byAction('iot:Subscribe')[0]?.Resource)).toContain(`:topicfilter/ev/v1/st/${THING_NAME_VAR}/cmd`);
    expect(text(byAction('iot:Receive')[0]?.Resource)).toContain(`:topic/ev/v1/st/${THING_NAME_VAR}/cmd`);
  });

  it('publishes only ack/meter/evt/state/conn under its own id, retained only state and conn', () => {
    const publish = resourcesOf(byAction('iot:Publish')[0]!).map(text);
    expect(publish.map((r) => r.match(/ThingName\}\/(\w+)/)?.[1])).toEqual(['ack', 'meter', 'evt', 'state', 'conn']);
    const retain = resourcesOf(byAction('iot:RetainPublish')[0]!).map(text);
    expect(retain.map((r) => r.match(/ThingName\}\/(\w+)/)?.[1])).toEqual(['state', 'conn']);
  });

  it('has no wildcard anywhere (in IoT policies `+` and `#` are literal, `*` would reach other stations)', () => {
    for (const st of doc()) expect(text(st.Resource)).not.toMatch(/[*+#]/);
  });
});

describe('queues and alarms', () => {
  it('every queue is encrypted and refuses non-TLS access', () => {
    for (const [id, q] of ofType(s.resources, 'AWS::SQS::Queue')) {
      expect(q.Properties?.SqsManagedSseEnabled, id).toBe(true);
      const policy = ofType(s.resources, 'AWS::SQS::QueuePolicy').find(([, p]) =>
        text(p.Properties?.Queues).includes(id),
      );
      expect(text(policy?.[1].Properties?.PolicyDocument), id).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('alarms on every handler error, every failure queue, and the operational signals, all to SNS', () => {
    const alarms = ofType(s.resources, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
    const topic = idOf('AWS::SNS::Topic', 'MonitoringAlarms');
    for (const a of alarms) expect(a.AlarmActions).toEqual([{ Ref: topic }]);
    const lambdaErrors = alarms.filter((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors');
    expect(lambdaErrors.map((a) => text(a.Dimensions)).sort()).toEqual(
      HANDLERS.map((h) => text([{ Name: 'FunctionName', Value: { Ref: fn(h) } }])).sort(),
    );
    expect(alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(5);
    expect(alarms.filter((a) => a.Namespace === 'EvCharge/dev').map((a) => a.MetricName)).toEqual(
      expect.arrayContaining([
        'WebhookSignatureFailures',
        'SessionsStuck',
        'ReconciliationAnomalies',
        'OperatorAlerts',
      ]),
    );
    expect(s.resources[topic]?.Properties?.KmsMasterKeyId).toBeDefined();
  });

  it('counts webhook signature failures in the webhook log, stuck sessions and anomalies in the sweeper log', () => {
    const filters = ofType(s.resources, 'AWS::Logs::MetricFilter').map(([, f]) => f.Properties ?? {});
    const logsOf = (h: HandlerName) => (propsOf(s.resources, fn(h)).LoggingConfig as { LogGroup: unknown }).LogGroup;
    const metric = (f: Record<string, unknown>) => (f.MetricTransformations as { MetricName: string }[])[0]?.MetricName;
    expect(filters.filter((f) => metric(f) === 'WebhookSignatureFailures').map((f) => f.LogGroupName)).toEqual([
      logsOf('stripe-webhook'),
    ]);
    const sweeper = (m: string) => filters.filter((f) => metric(f) === m);
    expect(sweeper('SessionsStuck').map((f) => f.FilterPattern)).toEqual([
      '{ $.msg = "sweep finished*" && $.failedToStart >= 0 }',
      '{ $.msg = "sweep finished*" && $.resentClose >= 0 }',
      '{ $.msg = "sweep finished*" && $.resentOpen >= 0 }',
      '{ $.msg = "sweep finished*" && $.redrivenCharges >= 0 }',
    ]);
    expect(sweeper('ReconciliationAnomalies').map((f) => f.FilterPattern)).toEqual([
      '{ $.msg = "sweep finished*" && $.reconciled >= 0 }',
    ]);
    for (const f of [...sweeper('SessionsStuck'), ...sweeper('ReconciliationAnomalies')]) {
      expect(f.LogGroupName).toEqual(logsOf('sweeper'));
    }
    expect(filters.filter((f) => metric(f) === 'OperatorAlerts')).toHaveLength(HANDLERS.length);
  });
});

function policyStatements(p: CfnResource): Statement[] {
  const doc = p.Properties?.PolicyDocument as { Statement: Statement[] } | undefined;
  return doc?.Statement ?? [];
}
function text(x: unknown): string {
  return JSON.stringify(x);
}
