import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FilterPattern, type ILogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LOG_METRICS } from '../shared-defs.js';
import type { StageConfig } from '../stage-config.js';
import type { HandlerFunction } from './handler-function.js';

const FIVE_MINUTES = Duration.minutes(5);

/** Every alarm goes to one encrypted SNS topic an operator subscribes to. */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly namespace: string;

  constructor(scope: Construct, id: string, config: StageConfig) {
    super(scope, id);
    this.namespace = `${LOG_METRICS.namespace}/${config.stage}`;
    const key = new Key(this, 'AlarmsKey', {
      enableKeyRotation: true,
      description: 'ev-charge alarm notifications',
    });
    // CloudWatch publishes to an encrypted topic only if it may use the topic's key.
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Alarms', {
      displayName: `ev-charge ${config.stage} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (config.alarmEmail) this.topic.addSubscription(new EmailSubscription(config.alarmEmail));
  }

  handlerErrors(handlers: HandlerFunction[]): void {
    for (const h of handlers) {
      this.alarm(`${h.node.id}Errors`, h.fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }), {
        threshold: 1,
        description: `${h.node.id} threw: see its log group`,
      });
    }
  }

  queueDepth(queues: Record<string, IQueue>): void {
    for (const [name, queue] of Object.entries(queues)) {
      this.alarm(
        `${name}Depth`,
        queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        { threshold: 1, description: `${name}: failed messages wait for a person to inspect and re-drive them` },
      );
    }
  }

  /** Operator alerts (log-alerts' `ALERT` lines) from every handler, counted as one metric. */
  operatorAlerts(logGroups: ILogGroup[]): void {
    const def = LOG_METRICS.operatorAlerts;
    logGroups.forEach((group, i) => {
      this.filter(`AlertFilter${i}`, group, def.metric, def.pattern, '1');
    });
    this.alarm('OperatorAlerts', this.metric(def.metric, 'Sum'), {
      threshold: 1,
      description: 'A handler raised an ALERT (money taken but a later step failed, …): a person must look',
    });
  }

  webhookSignatureFailures(webhookLogs: ILogGroup): void {
    const def = LOG_METRICS.webhookSignatureFailures;
    this.filter('WebhookSignatureFilter', webhookLogs, def.metric, def.pattern, '1');
    // The URL is public: a few stray requests are noise, a burst is a misconfigured secret or an attack.
    this.alarm('WebhookSignatureFailures', this.metric(def.metric, 'Sum'), {
      threshold: 5,
      description: 'Stripe webhook signatures failing: check the webhook secret (rotation?) or probing',
    });
  }

  sweeperFindings(sweeperLogs: ILogGroup): void {
    const stuck = LOG_METRICS.sessionsStuck;
    for (const count of stuck.counts) {
      this.filter(`Stuck${count}Filter`, sweeperLogs, stuck.metric, LOG_METRICS.sweepLine(count), `$.${count}`);
    }
    this.alarm('SessionsStuck', this.metric(stuck.metric, 'Sum'), {
      threshold: 1,
      description:
        'The sweeper had to move sessions left in a transitional state (no ack, no open ack, charge not confirmed): look at why the event never came',
    });
    const recon = LOG_METRICS.reconciliationAnomalies;
    for (const count of recon.counts) {
      this.filter(
        `Reconciliation${count}Filter`,
        sweeperLogs,
        recon.metric,
        LOG_METRICS.sweepLine(count),
        `$.${count}`,
      );
    }
    this.alarm('ReconciliationAnomalies', this.metric(recon.metric, 'Sum'), {
      threshold: 1,
      description: 'Ledger and Stripe disagree: inspect each anomaly (false positives are accepted)',
    });
  }

  private metric(name: string, statistic: 'Sum' | 'Maximum'): Metric {
    return new Metric({ namespace: this.namespace, metricName: name, period: FIVE_MINUTES, statistic });
  }

  private filter(id: string, group: ILogGroup, metricName: string, pattern: string, value: string): void {
    new MetricFilter(this, id, {
      logGroup: group,
      filterPattern: FilterPattern.literal(pattern),
      metricNamespace: this.namespace,
      metricName,
      metricValue: value,
    });
  }

  private alarm(
    id: string,
    metric: IMetric,
    opts: { threshold: number; description: string; evaluationPeriods?: number },
  ): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: opts.threshold,
      evaluationPeriods: opts.evaluationPeriods ?? 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: opts.description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
  }
}
