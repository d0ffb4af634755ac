import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FunctionUrlAuthType, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { BackendFunctions } from './constructs/backend-functions.js';
import { DataTables } from './constructs/data-tables.js';
import { ChargingApi } from './constructs/graphql-api.js';
import { Identity } from './constructs/identity.js';
import { IotEndpoint } from './constructs/iot-endpoint.js';
import { Monitoring } from './constructs/monitoring.js';
import { StationFleet } from './constructs/station-fleet.js';
import { ENV } from './shared-defs.js';
import type { StageConfig } from './stage-config.js';

/** Output keys the web app's config.json and the provisioning script read (see scripts/). */
export const OUTPUTS = {
  region: 'Region',
  userPoolId: 'UserPoolId',
  userPoolClientId: 'UserPoolClientId',
  graphqlEndpoint: 'GraphqlEndpoint',
  webhookUrl: 'StripeWebhookUrl',
  stripeSecretArn: 'StripeSecretArn',
  stripeWebhookSecretArn: 'StripeWebhookSecretArn',
  iotDataEndpoint: 'IotDataEndpoint',
  stationPolicyName: 'StationPolicyName',
  stationThingType: 'StationThingType',
  alarmTopicArn: 'AlarmTopicArn',
} as const;

export function stackName(config: Pick<StageConfig, 'stage'>): string {
  return `EvCharge-${config.stage}`;
}

export interface PlatformStackProps extends StackProps {
  /** Where the handler entry files live (default functions/src/handlers). */
  handlersDir?: string;
}

/** The whole platform for one stage; each concern is a construct in ./constructs. */
export class PlatformStack extends Stack {
  readonly config: StageConfig;

  constructor(scope: Construct, id: string, config: StageConfig, props: PlatformStackProps = {}) {
    const { handlersDir, ...stackProps } = props;
    super(scope, id, {
      ...stackProps,
      env: { account: config.account, region: config.region },
      description: `EV charging platform (${config.stage})`,
      terminationProtection: config.isProd,
    });
    this.config = config;
    const keep = config.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const monitoring = new Monitoring(this, 'Monitoring', config);
    const tables = new DataTables(this, 'Data', config);
    const identity = new Identity(this, 'Identity', config);
    const api = new ChargingApi(this, 'Graphql', { config, userPool: identity.userPool });

    const stripeSecret = new Secret(this, 'StripeApiKey', {
      description: 'Stripe secret API key (sk_live_… / sk_test_…); set after the first deploy',
      removalPolicy: keep,
    });
    const webhookSecret = new Secret(this, 'StripeWebhookSecret', {
      description: 'Stripe webhook signing secret(s) whsec_…, comma-separated while rotating',
      removalPolicy: keep,
    });
    for (const s of [stripeSecret, webhookSecret]) {
      Validations.of(s).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Stripe issues these keys; Secrets Manager cannot rotate them. Rotation is a Stripe dashboard roll followed by put-secret-value (README "Deploy to AWS").',
      });
    }

    const iotEndpoint = new IotEndpoint(this, 'IotEndpoint', config);
    const functions = new BackendFunctions(this, 'Backend', {
      config,
      tables: tables.byKey,
      stripeSecret,
      webhookSecret,
      api: api.api,
      graphqlUrl: api.api.graphqlUrl,
      iotDataEndpoint: iotEndpoint.url,
      handlersDir,
    });
    const h = functions.handlers;

    identity.attachPostConfirmation(h['post-confirmation'].fn);
    api.attachLambdaResolvers({
      'start-charge': h['start-charge'].fn,
      'stop-charge': h['stop-charge'].fn,
      'pay-outstanding': h['pay-outstanding'].fn,
      queries: h.queries.fn,
    });
    const fleet = new StationFleet(this, 'Stations', {
      config,
      stationEvents: h['station-events'].fn,
      meterBatch: h['meter-batch'].fn,
    });

    // Stripe signs every delivery; the handler verifies it over the raw body, so no IAM auth here.
    const webhookUrl = h['stripe-webhook'].fn.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.BUFFERED,
    });

    new Rule(this, 'SweeperSchedule', {
      description: 'Ack timeouts, stuck sessions, reconciliation with Stripe',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(h.sweeper.fn, { retryAttempts: 2, maxEventAge: Duration.minutes(5) })],
    });
    new Rule(this, 'ReconcileSchedule', {
      description: 'Reconciliation: sessions and stations against Stripe PaymentIntents; anomalies to operators',
      schedule: Schedule.rate(Duration.minutes(15)),
      targets: [new LambdaFunction(h.reconcile.fn, { retryAttempts: 2, maxEventAge: Duration.minutes(15) })],
    });

    const all = Object.values(h);
    // Any handler may raise an operator alert (functions/src/adapters/sns/sns-alerts.ts publishes it here).
    for (const x of all) {
      x.fn.addEnvironment(ENV.alertsTopicArn, monitoring.topic.topicArn);
      monitoring.topic.grantPublish(x.fn);
      Validations.of(x.role).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason:
          'Publishing to the KMS-encrypted alarm topic needs GenerateDataKey* (the SNS publish grant), on that one key only.',
      });
    }
    monitoring.handlerErrors(all);
    monitoring.queueDepth({
      StationEventsFailures: functions.failureQueues['station-events']!,
      SweeperFailures: functions.failureQueues.sweeper!,
      ReconcileFailures: functions.failureQueues.reconcile!,
      MeterDeadLetters: fleet.meterDeadLetters,
      IotRuleErrors: fleet.ruleErrors,
    });
    monitoring.operatorAlerts(all.map((x) => x.logGroup));
    monitoring.webhookSignatureFailures(h['stripe-webhook'].logGroup);
    monitoring.sweeperFindings(h.sweeper.logGroup);

    const out = (key: string, value: string, description: string) => new CfnOutput(this, key, { value, description });
    out(OUTPUTS.region, this.region, 'AWS region of the stack');
    out(OUTPUTS.userPoolId, identity.userPool.userPoolId, 'Cognito user pool (drivers)');
    out(OUTPUTS.userPoolClientId, identity.client.userPoolClientId, 'Web app client (SRP + USER_PASSWORD_AUTH)');
    out(OUTPUTS.graphqlEndpoint, api.api.graphqlUrl, 'AppSync GraphQL endpoint');
    out(OUTPUTS.webhookUrl, webhookUrl.url, 'Register in Stripe as the webhook endpoint');
    out(OUTPUTS.stripeSecretArn, stripeSecret.secretArn, 'put-secret-value: the Stripe secret key');
    out(OUTPUTS.stripeWebhookSecretArn, webhookSecret.secretArn, 'put-secret-value: the webhook signing secret');
    out(OUTPUTS.iotDataEndpoint, iotEndpoint.url, 'MQTT/TLS endpoint for stations');
    out(OUTPUTS.stationPolicyName, fleet.policyName, 'IoT policy attached to each station certificate');
    out(OUTPUTS.stationThingType, fleet.thingTypeName, 'IoT thing type of stations');
    out(OUTPUTS.alarmTopicArn, monitoring.topic.topicArn, 'Subscribe operators here');
  }
}
