import {
  BREAK,
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  getArgumentValues,
  getVariableValues,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { z } from 'zod';
import type { Authenticator } from './appsync-auth.js';
import { isAllowed, prepare, unauthorizedField, validationError } from './appsync-execute.js';
import { selectionPaths } from './appsync-resolver-events.js';
import type { AppSyncSchema } from './appsync-schema.js';
import type { AppSyncError, AppSyncErrorEntry, AppSyncEvent, FieldResolver, Principal } from './appsync-types.js';
import type { ActiveSubscription } from './subscription-registry.js';

export interface StartInput {
  app: AppSyncSchema;
  authenticator: Authenticator;
  resolvers: Record<string, FieldResolver>;
  graphqlPath: string;
  connectionId: string;
  id: string;
  /** The `start` payload's `data`: a JSON string `{query, variables}`, and what IAM signs. */
  data: string;
  /** The `start` payload's `extensions.authorization`, lower-cased. */
  headers: Record<string, string>;
  sourceIp: string;
  send(message: unknown): void;
}

export type StartOutcome = { ok: true; subscription: ActiveSubscription } | { ok: false; errors: AppSyncErrorEntry[] };

const startData = z.object({
  query: z.string(),
  variables: z.record(z.string(), z.unknown()).nullish(),
  operationName: z.string().nullish(),
});

const fail = (errorType: string, message: string): StartOutcome => ({ ok: false, errors: [{ errorType, message }] });

/** AppSync checks every field the subscription selects against the caller's auth mode, up front. */
function firstDeniedField(app: AppSyncSchema, document: DocumentNode, principal: Principal): AppSyncError | undefined {
  const typeInfo = new TypeInfo(app.schema);
  let denied: AppSyncError | undefined;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent || !isObjectType(parent) || node.name.value.startsWith('__')) return;
        if (!isAllowed(app.rulesFor(parent.name, node.name.value), principal)) {
          denied = unauthorizedField(node.name.value, parent.name);
          return BREAK;
        }
      },
    }),
  );
  return denied;
}

function rootField(operation: OperationDefinitionNode): FieldNode | undefined {
  const fields = operation.selectionSet.selections.filter((s): s is FieldNode => s.kind === Kind.FIELD);
  return fields.length === 1 && operation.selectionSet.selections.length === 1 ? fields[0] : undefined;
}

function errorTypeOf(error: unknown): string {
  return error instanceof Error && 'errorType' in error && typeof error.errorType === 'string'
    ? error.errorType
    : 'Lambda:Unhandled';
}

/** Authorizes and validates one `start` message; runs the field's subscribe-time resolver if configured. */
export async function startSubscription(input: StartInput): Promise<StartOutcome> {
  const auth = await input.authenticator.authenticate({
    headers: input.headers,
    method: 'POST',
    path: input.graphqlPath,
    query: {},
    body: input.data,
    sourceIp: input.sourceIp,
  });
  if (!auth.ok) return fail('UnauthorizedException', auth.message);
  let request: z.infer<typeof startData>;
  try {
    const parsed = startData.safeParse(JSON.parse(input.data));
    if (!parsed.success) return fail('BadRequestException', 'start payload data must hold a query.');
    request = parsed.data;
  } catch {
    return fail('BadRequestException', 'start payload data is not JSON.');
  }
  const prepared = prepare(input.app, request);
  if (!prepared.ok) return { ok: false, errors: prepared.errors };
  const { document, operation } = prepared;
  const field = rootField(operation);
  if (operation.operation !== 'subscription' || !field) {
    return { ok: false, errors: [validationError('Only a subscription with a single root field can be started.')] };
  }
  const subscriptionType = input.app.schema.getSubscriptionType();
  const fieldDef = subscriptionType?.getFields()[field.name.value];
  if (!subscriptionType || !fieldDef) return fail('ValidationError', 'Unknown subscription field.');
  const denied = firstDeniedField(input.app, document, auth.principal);
  if (denied) return fail(denied.errorType, denied.message);
  const coerced = getVariableValues(input.app.schema, operation.variableDefinitions ?? [], request.variables ?? {});
  if (coerced.errors) return { ok: false, errors: coerced.errors.map((e: GraphQLError) => validationError(e)) };
  const args = getArgumentValues(fieldDef, field, coerced.coerced);
  const headers = { ...input.headers };
  const resolver = input.resolvers[`Subscription.${fieldDef.name}`];
  if (typeof resolver === 'function') {
    const fragments = Object.fromEntries(
      document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
    );
    const event: AppSyncEvent = {
      arguments: { ...args },
      identity: auth.principal.identity,
      source: null,
      request: { headers, domainName: null },
      info: {
        fieldName: fieldDef.name,
        parentTypeName: subscriptionType.name,
        variables: { ...coerced.coerced },
        selectionSetList: field.selectionSet ? selectionPaths(field.selectionSet, fragments) : [],
        selectionSetGraphQL: field.selectionSet ? print(field.selectionSet) : '',
      },
      prev: null,
      stash: {},
    };
    try {
      await resolver(JSON.parse(JSON.stringify(event)));
    } catch (error) {
      return fail(errorTypeOf(error), error instanceof Error ? error.message : String(error));
    }
  }
  return {
    ok: true,
    subscription: {
      id: input.id,
      connectionId: input.connectionId,
      fieldName: fieldDef.name,
      args: { ...args },
      document,
      ...(request.operationName ? { operationName: request.operationName } : {}),
      variables: { ...coerced.coerced },
      principal: auth.principal,
      headers,
      send: input.send,
    },
  };
}
