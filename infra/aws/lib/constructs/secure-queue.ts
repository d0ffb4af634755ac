import { Duration, Validations } from 'aws-cdk-lib';
import { type DeadLetterQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** Encrypted, TLS-only queue; failures are kept the full 14 days so a person can re-drive them. */
export function secureQueue(
  scope: Construct,
  id: string,
  opts: { visibilityTimeout?: Duration; deadLetterQueue?: DeadLetterQueue; isDeadLetterQueue?: boolean } = {},
): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    visibilityTimeout: opts.visibilityTimeout,
    deadLetterQueue: opts.deadLetterQueue,
  });
  if (opts.isDeadLetterQueue) {
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the failure destination (Lambda on-failure / IoT rule error action); its depth raises an alarm and a person re-drives it.',
    });
  }
  return queue;
}
