/**
 * Synthesizes the platform stack for the infra tests — bundling skipped (context
 * `aws:cdk:bundling-stacks: []`), so each NodejsFunction only needs its entry file to exist — and
 * reads the template the way a reviewer asks: which function may do what on which resource.
 */
import { fileURLToPath } from 'node:url';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/aws/lib/build-app.js';
import type { HandlerName } from '../../infra/aws/lib/shared-defs.js';

export const FIXTURE_HANDLERS = fileURLToPath(new URL('./fixtures/handlers', import.meta.url));
export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'ap-northeast-1';

export type Json = unknown;
export interface CfnResource {
  Type: string;
  Properties?: Record<string, Json>;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: Json;
  Condition?: Json;
}

export function synthStage(stage: 'dev' | 'prod', extraContext: Record<string, string> = {}) {
  const { app, stack, config } = buildApp(
    {
      handlersDir: FIXTURE_HANDLERS,
      nag: false,
      context: {
        stage,
        account: TEST_ACCOUNT,
        region: TEST_REGION,
        'aws:cdk:bundling-stacks': [],
        ...extraContext,
      },
    },
    {},
  );
  const template = Template.fromStack(stack);
  const json = template.toJSON() as {
    Resources: Record<string, CfnResource>;
    Outputs: Record<string, { Value: Json }>;
  };
  return { app, stack, config, template, resources: json.Resources, outputs: json.Outputs, json };
}

/** A resource's Properties; throws when the resource or its properties are missing. */
export function propsOf(resources: Record<string, CfnResource>, id: string): Record<string, Json> {
  const props = resources[id]?.Properties;
  if (!props) throw new Error(`no properties on ${id}`);
  return props;
}

/** The one resource of `type` matching `where`; throws unless there is exactly one. */
export function single(
  resources: Record<string, CfnResource>,
  type: string,
  where: (r: CfnResource) => boolean = () => true,
): { id: string; resource: CfnResource; props: Record<string, Json> } {
  const hits = ofType(resources, type).filter(([, r]) => where(r));
  if (hits.length !== 1 || !hits[0]) throw new Error(`${hits.length} ${type} resources match`);
  const [id, resource] = hits[0];
  return { id, resource, props: resource.Properties ?? {} };
}

export function ofType(resources: Record<string, CfnResource>, type: string): [string, CfnResource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/** Logical id of the Lambda function that runs `name` (matched on the description CDK writes). */
export function functionId(resources: Record<string, CfnResource>, stage: string, name: HandlerName): string {
  const hit = ofType(resources, 'AWS::Lambda::Function').find(
    ([, r]) => r.Properties?.Description === `ev-charge ${stage}: ${name}`,
  );
  if (!hit) throw new Error(`no function for ${name}`);
  return hit[0];
}

function roleIdOfFunction(resources: Record<string, CfnResource>, fnId: string): string {
  const role = propsOf(resources, fnId).Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

/** Every IAM statement attached (inline policy resources) to the role of `fnId`. */
export function statementsOf(resources: Record<string, CfnResource>, fnId: string): Statement[] {
  const roleId = roleIdOfFunction(resources, fnId);
  return ofType(resources, 'AWS::IAM::Policy')
    .filter(([id]) => (propsOf(resources, id).Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([id]) => (propsOf(resources, id).PolicyDocument as { Statement: Statement[] }).Statement);
}

export function actionsOf(s: Statement): string[] {
  return Array.isArray(s.Action) ? s.Action : [s.Action];
}

export function resourcesOf(s: Statement): Json[] {
  return Array.isArray(s.Resource) ? s.Resource : [s.Resource];
}

/** Statements of `fnId` that allow `action`. */
export function allowing(resources: Record<string, CfnResource>, fnId: string, action: string): Statement[] {
  return statementsOf(resources, fnId).filter((s) => s.Effect === 'Allow' && actionsOf(s).includes(action));
}

export const ref = (id: string) => ({ Ref: id });
export const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
