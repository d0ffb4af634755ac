import { Duration, Stack } from 'aws-cdk-lib';
import type { IGraphqlApi } from 'aws-cdk-lib/aws-appsync';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FUNCTION_ACCESS } from '../function-access.js';
import { grantStationCommands, grantTable } from '../grants.js';
import { ENV, HANDLERS, type HandlerName, TABLE_ENV, TABLE_KEYS, TABLE_SPECS, type TableKey } from '../shared-defs.js';
import type { StageConfig } from '../stage-config.js';
import { HandlerFunction } from './handler-function.js';
import { secureQueue } from './secure-queue.js';

export const PUBLISH_MUTATIONS = ['publishSessionUpdate', 'publishStationUpdate'] as const;

export interface BackendFunctionsProps {
  config: StageConfig;
  tables: Record<TableKey, ITableV2>;
  stripeSecret: ISecret;
  webhookSecret: ISecret;
  api: IGraphqlApi;
  graphqlUrl: string;
  iotDataEndpoint: string;
  handlersDir?: string;
}

/** The ten handlers, each granted exactly what FUNCTION_ACCESS lists for it. */
export class BackendFunctions extends Construct {
  readonly handlers: Record<HandlerName, HandlerFunction>;
  /** On-failure destinations of the asynchronously invoked functions, by handler. */
  readonly failureQueues: Partial<Record<HandlerName, IQueue>> = {};

  constructor(scope: Construct, id: string, props: BackendFunctionsProps) {
    super(scope, id);
    const { config } = props;
    const stack = Stack.of(this);
    // The shared composition root (functions/src/composition/build-deps.ts) builds every adapter in
    // every function, so each gets the same addresses; IAM alone decides what is reachable.
    const shared: Record<string, string> = {
      [ENV.stage]: config.stage,
      [ENV.iotDataEndpoint]: props.iotDataEndpoint,
      [ENV.logLevel]: config.logLevel,
      [ENV.stripeSecretId]: props.stripeSecret.secretArn,
      [ENV.webBaseUrl]: config.webBaseUrl,
      ...Object.fromEntries(TABLE_KEYS.map((k) => [TABLE_ENV[k], props.tables[k].tableName])),
    };

    const made = HANDLERS.map((name) => {
      const access = FUNCTION_ACCESS[name];
      const environment: Record<string, string> = { ...shared };
      // The Cognito trigger cannot know the API: API → user pool → trigger → API would be a cycle.
      if (access.invocation !== 'cognito') environment[ENV.graphqlUrl] = props.graphqlUrl;
      if (access.stripeWebhook) environment[ENV.stripeWebhookSecretId] = props.webhookSecret.secretArn;
      const h = new HandlerFunction(this, pascal(name), {
        name,
        access,
        config,
        environment,
        handlersDir: props.handlersDir,
        reservedConcurrency: access.concurrency && config.reservedConcurrency?.[access.concurrency],
      });

      for (const key of TABLE_KEYS) {
        const level = access.tables[key];
        if (level) grantTable(h.role, props.tables[key], TABLE_SPECS[key], level);
      }
      if (access.stripe) props.stripeSecret.grantRead(h.role);
      if (access.stripeWebhook) props.webhookSecret.grantRead(h.role);
      if (access.publishes) props.api.grantMutation(h.role, ...PUBLISH_MUTATIONS);
      if (access.commandsStations) grantStationCommands(stack, h.role);
      if (access.invocation === 'iot-rule' || access.invocation === 'schedule') {
        const failures = secureQueue(this, `${pascal(name)}Failures`, { isDeadLetterQueue: true });
        h.fn.configureAsyncInvoke({
          onFailure: new SqsDestination(failures),
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
        });
        this.failureQueues[name] = failures;
      }
      return [name, h] as const;
    });
    this.handlers = Object.fromEntries(made) as Record<HandlerName, HandlerFunction>;
  }
}

export function pascal(name: string): string {
  return name
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}
