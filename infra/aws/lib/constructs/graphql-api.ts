import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AuthorizationType,
  CfnGraphQLApi,
  Code,
  Definition,
  FieldLogLevel,
  FunctionRuntime,
  GraphqlApi,
  type NoneDataSource,
} from 'aws-cdk-lib/aws-appsync';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { MY_SESSIONS_SUBSCRIPTION_CODE, OWNER_ONLY_SUBSCRIPTION_CODE, PASS_THROUGH_CODE } from '../appsync-code.js';
import { SCHEMA_PATH } from '../shared-defs.js';
import type { StageConfig } from '../stage-config.js';

/** Which Lambda resolves which field (direct Lambda resolvers: the handler gets AppSync's own event). */
export const LAMBDA_RESOLVERS = {
  'start-charge': [['Mutation', 'startCharge']],
  'stop-charge': [['Mutation', 'stopCharge']],
  'pay-outstanding': [['Mutation', 'payOutstanding']],
  queries: [
    ['Query', 'stations'],
    ['Query', 'station'],
    ['Query', 'me'],
    ['Query', 'mySessions'],
    ['Query', 'session'],
    ['Query', 'operatorSessions'],
    ['Query', 'operatorAlerts'],
    ['Query', 'operatorAnomalies'],
    ['Mutation', 'reviewAnomaly'],
  ],
} as const satisfies Record<string, readonly (readonly [string, string])[]>;
export type ResolverHandler = keyof typeof LAMBDA_RESOLVERS;

/**
 * The driver API: Cognito user pools by default, IAM for the backend's publish mutations (the schema's
 * `@aws_iam` keeps drivers out of them; IAM policies keep every other backend role out).
 */
export class ChargingApi extends Construct {
  readonly api: GraphqlApi;
  private readonly none: NoneDataSource;

  constructor(scope: Construct, id: string, props: { config: StageConfig; userPool: IUserPool }) {
    super(scope, id);
    this.api = new GraphqlApi(this, 'Api', {
      name: `ev-charge-${props.config.stage}`,
      definition: Definition.fromFile(SCHEMA_PATH),
      authorizationConfig: {
        defaultAuthorization: {
          authorizationType: AuthorizationType.USER_POOL,
          userPoolConfig: { userPool: props.userPool },
        },
        additionalAuthorizationModes: [{ authorizationType: AuthorizationType.IAM }],
      },
      xrayEnabled: true,
      // A hostile document costs no more than a fair one: the same two limits the local server enforces
      // (infra/local/appsync/query-limits.ts; test/infra checks they agree). Only root fields have
      // resolvers here, so 10 resolvers is 10 root fields, as locally.
      queryDepthLimit: 10,
      resolverCountLimit: 10,
    });
    // Logging wired on the L1: the L2's logConfig always adds a log-retention Lambda and a role
    // with an AWS managed policy; here the role may write to this API's log group only.
    const logs = new LogGroup(this, 'ApiLogs', {
      logGroupName: `/aws/appsync/apis/${this.api.apiId}`,
      retention: props.config.isProd ? RetentionDays.THREE_MONTHS : RetentionDays.ONE_MONTH,
      removalPolicy: props.config.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const logsRole = new Role(this, 'ApiLogsRole', { assumedBy: new ServicePrincipal('appsync.amazonaws.com') });
    logsRole.addToPolicy(
      new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logs.logGroupArn] }),
    );
    const cfnApi = this.api.node.defaultChild;
    if (!(cfnApi instanceof CfnGraphQLApi)) throw new Error('GraphqlApi without its CfnGraphQLApi');
    cfnApi.logConfig = {
      cloudWatchLogsRoleArn: logsRole.roleArn,
      fieldLogLevel: FieldLogLevel.ERROR,
      // Verbose content carries the request headers, i.e. the drivers' tokens.
      excludeVerboseContent: true,
    };
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-ASC3',
      reason:
        "Field-level (ERROR) logging is on; verbose content stays excluded because it carries the request headers, i.e. the drivers' Cognito tokens, which must never reach a log.",
    });

    this.none = this.api.addNoneDataSource('Publish', {
      description: 'Backend publish mutations: no storage, the result only triggers @aws_subscribe',
    });
    for (const field of ['publishSessionUpdate', 'publishStationUpdate']) {
      this.none.createResolver(`${field}Resolver`, {
        typeName: 'Mutation',
        fieldName: field,
        runtime: FunctionRuntime.JS_1_0_0,
        code: Code.fromInline(PASS_THROUGH_CODE),
      });
    }
    this.none.createResolver('OnSessionUpdateResolver', {
      typeName: 'Subscription',
      fieldName: 'onSessionUpdate',
      runtime: FunctionRuntime.JS_1_0_0,
      code: Code.fromInline(OWNER_ONLY_SUBSCRIPTION_CODE),
    });
    this.none.createResolver('OnMySessionUpdatesResolver', {
      typeName: 'Subscription',
      fieldName: 'onMySessionUpdates',
      runtime: FunctionRuntime.JS_1_0_0,
      code: Code.fromInline(MY_SESSIONS_SUBSCRIPTION_CODE),
    });
  }

  /** Called once the functions exist (they need the API URL first, hence two steps). */
  attachLambdaResolvers(functions: Record<ResolverHandler, IFunction>): void {
    for (const name of Object.keys(LAMBDA_RESOLVERS) as ResolverHandler[]) {
      const ds = this.api.addLambdaDataSource(`${dsId(name)}Source`, functions[name]);
      for (const [typeName, fieldName] of LAMBDA_RESOLVERS[name]) {
        ds.createResolver(`${typeName}${fieldName}Resolver`, { typeName, fieldName });
      }
      const role = ds.node.tryFindChild('ServiceRole');
      const cfnFn = functions[name].node.defaultChild;
      if (role && cfnFn) {
        const fnLogicalId = Stack.of(this).getLogicalId(cfnFn as CfnFunction);
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${fnLogicalId}.Arn>:*]`,
          reason: `AppSync may invoke ${name} and its versions/aliases (ARN suffix :*) and nothing else.`,
        });
      }
    }
  }
}

function dsId(name: string): string {
  return name
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}
