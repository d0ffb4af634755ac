import { Duration, Stack } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPolicy, CfnThingType, CfnTopicRule } from 'aws-cdk-lib/aws-iot';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STATION_PUBLISH_CHANNELS, TOPIC_PREFIX } from '../../../../contracts/station-protocol.js';
import { FUNCTION_ACCESS } from '../function-access.js';
import { IOT_RULE_SQL_VERSION, PRESENCE_RULE, STATION_RULES } from '../shared-defs.js';
import type { StageConfig } from '../stage-config.js';
import { secureQueue } from './secure-queue.js';

/** The one policy variable that ties a connection to its own thing ([IoT policy variables]). */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IoT policy variable, resolved by IoT Core, not by JS.
export const THING_NAME_VAR = '${iot:Connection.Thing.ThingName}';

export interface StationFleetProps {
  config: StageConfig;
  stationEvents: IFunction;
  meterBatch: IFunction;
}

/**
 * IoT Core for the stations: one thing per station, a policy that confines a connection to its own
 * topics, and rules that route station traffic — acks/events/state/presence straight to station-events,
 * the meter firehose through a queue so meter-batch handles many reports per invocation.
 */
export class StationFleet extends Construct {
  readonly thingTypeName: string;
  readonly policyName: string;
  readonly meterQueue: Queue;
  readonly meterDeadLetters: Queue;
  readonly ruleErrors: Queue;

  constructor(scope: Construct, id: string, props: StationFleetProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { stage } = props.config;
    this.thingTypeName = `ev-station-${stage}`;
    this.policyName = `ev-station-${stage}`;

    new CfnThingType(this, 'ThingType', {
      thingTypeName: this.thingTypeName,
      thingTypeProperties: {
        thingTypeDescription: 'EV charging station: smart breaker with an energy meter',
        searchableAttributes: ['site', 'model'],
      },
    });

    const arn = (resource: string, name: string) => stack.formatArn({ service: 'iot', resource, resourceName: name });
    const own = `${TOPIC_PREFIX}/${THING_NAME_VAR}`;
    new CfnPolicy(this, 'StationPolicy', {
      policyName: this.policyName,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            // Client id = thing name, and only for a certificate attached to that thing.
            Effect: 'Allow',
            Action: 'iot:Connect',
            Resource: arn('client', THING_NAME_VAR),
            Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
          },
          { Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn('topicfilter', `${own}/cmd`) },
          { Effect: 'Allow', Action: 'iot:Receive', Resource: arn('topic', `${own}/cmd`) },
          {
            Effect: 'Allow',
            Action: 'iot:Publish',
            Resource: STATION_PUBLISH_CHANNELS.map((c) => arn('topic', `${own}/${c}`)),
          },
          // `state` and `conn` are retained (and `conn` is the Last Will).
          {
            Effect: 'Allow',
            Action: 'iot:RetainPublish',
            Resource: ['state', 'conn'].map((c) => arn('topic', `${own}/${c}`)),
          },
        ],
      },
    });

    this.ruleErrors = secureQueue(this, 'RuleErrors', { isDeadLetterQueue: true });
    this.meterDeadLetters = secureQueue(this, 'MeterDeadLetters', { isDeadLetterQueue: true });
    this.meterQueue = secureQueue(this, 'MeterReports', {
      // AWS guidance: at least six times the consumer's timeout, so a throttled batch is not redelivered early.
      visibilityTimeout: Duration.seconds(6 * FUNCTION_ACCESS['meter-batch'].timeoutSec),
      deadLetterQueue: { queue: this.meterDeadLetters, maxReceiveCount: 5 },
    });
    props.meterBatch.addEventSource(
      new SqsEventSource(this.meterQueue, {
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(2),
        reportBatchItemFailures: true,
      }),
    );

    const ruleRole = new Role(this, 'RuleRole', { assumedBy: new ServicePrincipal('iot.amazonaws.com') });
    this.meterQueue.grantSendMessages(ruleRole);
    this.ruleErrors.grantSendMessages(ruleRole);
    const errorAction = { sqs: { queueUrl: this.ruleErrors.queueUrl, roleArn: ruleRole.roleArn } };

    // Rule names are per account and region: the stage suffix lets dev and prod share an account.
    const events = STATION_RULES.events;
    this.lambdaRule('StationEvents', `${events.name}_${stage}`, events.sql, props.stationEvents, errorAction);
    this.lambdaRule('Presence', `${PRESENCE_RULE.name}_${stage}`, PRESENCE_RULE.sql, props.stationEvents, errorAction);
    new CfnTopicRule(this, 'MeterRule', {
      ruleName: `${STATION_RULES.meter.name}_${stage}`,
      topicRulePayload: {
        sql: STATION_RULES.meter.sql,
        awsIotSqlVersion: IOT_RULE_SQL_VERSION,
        ruleDisabled: false,
        actions: [{ sqs: { queueUrl: this.meterQueue.queueUrl, roleArn: ruleRole.roleArn, useBase64: false } }],
        errorAction,
      },
    });
  }

  private lambdaRule(
    id: string,
    ruleName: string,
    sql: string,
    fn: IFunction,
    errorAction: CfnTopicRule.ActionProperty,
  ): void {
    const rule = new CfnTopicRule(this, `${id}Rule`, {
      ruleName,
      topicRulePayload: {
        sql,
        awsIotSqlVersion: IOT_RULE_SQL_VERSION,
        ruleDisabled: false,
        actions: [{ lambda: { functionArn: fn.functionArn } }],
        errorAction,
      },
    });
    fn.addPermission(`${id}Invoke`, {
      principal: new ServicePrincipal('iot.amazonaws.com'),
      sourceArn: rule.attrArn,
      sourceAccount: Stack.of(this).account,
    });
  }
}
