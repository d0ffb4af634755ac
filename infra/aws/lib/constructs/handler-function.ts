import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LAMBDA_RUNTIME, lambdaBundling } from '../bundling.js';
import type { FunctionAccess } from '../function-access.js';
import { type HandlerName, handlerEntry, REPO_ROOT } from '../shared-defs.js';
import type { StageConfig } from '../stage-config.js';

export interface HandlerFunctionProps {
  name: HandlerName;
  access: FunctionAccess;
  config: StageConfig;
  environment: Record<string, string>;
  reservedConcurrency?: number;
  handlersDir?: string;
}

/**
 * One handler as one Lambda: its own role (logs to its own group only — no managed policy), its own
 * log group with a retention, arm64, the current Node runtime, and the shared esbuild options.
 */
export class HandlerFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const { config, access } = props;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: config.logRetentionDays === 90 ? RetentionDays.THREE_MONTHS : RetentionDays.ONE_MONTH,
      removalPolicy: config.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `ev-charge ${config.stage} ${props.name}`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.fn = new NodejsFunction(this, 'Fn', {
      entry: handlerEntry(props.name, props.handlersDir),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}/package-lock.json`,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: access.memoryMb,
      timeout: Duration.seconds(access.timeoutSec),
      role: this.role,
      logGroup: this.logGroup,
      // pino already writes JSON; TEXT keeps each line as pino wrote it for the metric filters.
      loggingFormat: LoggingFormat.TEXT,
      tracing: Tracing.ACTIVE,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: lambdaBundling(),
      description: `ev-charge ${config.stage}: ${props.name}`,
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions (Resource "*"), added by Tracing.ACTIVE.',
    });
  }
}
