/**
 * Grants written out instead of `table.grantReadWriteData`: the L2 grants add `table/index/*` and
 * `dynamodb:*`-style action lists; here every index is named and every action is listed.
 */
import { type Stack, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { TOPIC_PREFIX } from '../../../contracts/station-protocol.js';
import type { TableAccess } from './function-access.js';
import type { TableSpec } from './shared-defs.js';

export const DYNAMODB_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
] as const;
export const DYNAMODB_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

export function grantTable(grantee: IGrantable, table: ITableV2, spec: TableSpec, access: TableAccess): void {
  const actions =
    access === 'read' ? [...DYNAMODB_READ_ACTIONS] : [...DYNAMODB_READ_ACTIONS, ...DYNAMODB_WRITE_ACTIONS];
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      actions,
      resources: [
        table.tableArn,
        ...spec.globalSecondaryIndexes.map((ix) => `${table.tableArn}/index/${ix.indexName}`),
      ],
    }),
  );
}

/** ARN of every station's command topic; station ids are data, so this one wildcard is unavoidable. */
export function stationCommandTopicsArn(scope: Stack): string {
  return scope.formatArn({ service: 'iot', resource: 'topic', resourceName: `${TOPIC_PREFIX}/*/cmd` });
}

export function grantStationCommands(stack: Stack, grantee: IGrantable & IConstruct): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['iot:Publish'], resources: [stationCommandTopicsArn(stack)] }),
  );
  // cdk-nag renders the partition as a token and the concrete stack account/region as text.
  Validations.of(grantee).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iot:${stack.region}:${stack.account}:topic/${TOPIC_PREFIX}/*/cmd]`,
    reason: 'Breaker commands go to any station by id (data, not deploy-time); only the cmd channel is reachable.',
  });
}
