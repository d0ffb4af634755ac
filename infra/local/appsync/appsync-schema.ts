import {
  buildSchema,
  type ConstDirectiveNode,
  type GraphQLSchema,
  isObjectType,
  isScalarType,
  valueFromASTUntyped,
} from 'graphql';
import { APPSYNC_SCALARS, installAppSyncScalar } from './appsync-scalars.js';

/** AppSync declares these implicitly; graphql-js needs them spelled out to load an AppSync schema. */
const APPSYNC_PRELUDE = `
directive @aws_subscribe(mutations: [String!]!) on FIELD_DEFINITION
directive @aws_publish(subscriptions: [String]) on FIELD_DEFINITION
directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION
directive @aws_iam on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | ENUM | INPUT_OBJECT
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | ENUM | INPUT_OBJECT
directive @aws_api_key on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | ENUM | INPUT_OBJECT
directive @aws_oidc on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | ENUM | INPUT_OBJECT
directive @aws_lambda on OBJECT | FIELD_DEFINITION | INTERFACE | UNION | ENUM | INPUT_OBJECT
${APPSYNC_SCALARS.map((name) => `scalar ${name}`).join('\n')}
`;

export type AuthMode = 'userPool' | 'iam' | 'apiKey' | 'oidc' | 'lambda';
export interface AuthRule {
  mode: AuthMode;
  /** Only for userPool: the caller must be in one of these Cognito groups. */
  groups?: string[];
}

export interface AppSyncSchema {
  schema: GraphQLSchema;
  /** Who may resolve `typeName.fieldName`: field directives, else type directives, else the default mode. */
  rulesFor(typeName: string, fieldName: string): AuthRule[];
  /** Subscription fields whose `@aws_subscribe(mutations:)` names this mutation field. */
  subscriptionsFor(mutationField: string): string[];
  /** Mutation fields a subscription field listens to. */
  mutationsFor(subscriptionField: string): string[];
}

const DIRECTIVE_MODES: Record<string, AuthMode> = {
  aws_cognito_user_pools: 'userPool',
  aws_auth: 'userPool',
  aws_iam: 'iam',
  aws_api_key: 'apiKey',
  aws_oidc: 'oidc',
  aws_lambda: 'lambda',
};

function stringListArg(directive: ConstDirectiveNode, name: string): string[] | undefined {
  const arg = directive.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  const value: unknown = valueFromASTUntyped(arg.value);
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === 'string');
}

function rulesFrom(directives: readonly ConstDirectiveNode[] | undefined): AuthRule[] {
  const rules: AuthRule[] = [];
  for (const directive of directives ?? []) {
    const mode = DIRECTIVE_MODES[directive.name.value];
    if (!mode) continue;
    const groups = mode === 'userPool' ? stringListArg(directive, 'cognito_groups') : undefined;
    rules.push(groups && groups.length > 0 ? { mode, groups } : { mode });
  }
  return rules;
}

/**
 * Loads an AppSync-dialect schema into graphql-js, with AppSync's scalars validating input, and
 * precomputes the auth rules of every object field and the mutation → subscription wiring.
 */
export function loadAppSyncSchema(sdl: string, defaultMode: AuthMode = 'userPool'): AppSyncSchema {
  const schema = buildSchema(`${APPSYNC_PRELUDE}\n${sdl}`);
  for (const type of Object.values(schema.getTypeMap())) {
    if (isScalarType(type)) installAppSyncScalar(type);
  }
  const rules = new Map<string, AuthRule[]>();
  const subscriptions = new Map<string, string[]>();
  const mutations = new Map<string, string[]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeRules = rulesFrom(type.astNode?.directives);
    for (const field of Object.values(type.getFields())) {
      const fieldRules = rulesFrom(field.astNode?.directives);
      const effective = fieldRules.length > 0 ? fieldRules : typeRules.length > 0 ? typeRules : [{ mode: defaultMode }];
      rules.set(`${type.name}.${field.name}`, effective);
      if (type !== schema.getSubscriptionType()) continue;
      const subscribe = field.astNode?.directives?.find((d) => d.name.value === 'aws_subscribe');
      const triggers = subscribe ? (stringListArg(subscribe, 'mutations') ?? []) : [];
      mutations.set(field.name, triggers);
      for (const mutation of triggers)
        subscriptions.set(mutation, [...(subscriptions.get(mutation) ?? []), field.name]);
    }
  }
  return {
    schema,
    rulesFor: (typeName, fieldName) => rules.get(`${typeName}.${fieldName}`) ?? [{ mode: defaultMode }],
    subscriptionsFor: (mutationField) => subscriptions.get(mutationField) ?? [],
    mutationsFor: (subscriptionField) => mutations.get(subscriptionField) ?? [],
  };
}
