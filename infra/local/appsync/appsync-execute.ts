import {
  type DocumentNode,
  defaultFieldResolver,
  type ExecutionResult,
  execute,
  GraphQLError,
  getOperationAST,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { type RequestContext, resolverEvent, resolverResult } from './appsync-resolver-events.js';
import type { AppSyncSchema, AuthRule } from './appsync-schema.js';
import { AppSyncError, type AppSyncErrorEntry, type FieldResolver, type Principal } from './appsync-types.js';
import { MAX_QUERY_TOKENS, QueryLimitsRule } from './query-limits.js';

export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** A mutation result that may fan out to subscriptions (`@aws_subscribe`). */
export interface Published {
  mutationField: string;
  payload: unknown;
}

export interface ExecuteOutcome {
  body: { data?: unknown; errors?: AppSyncErrorEntry[] };
  published: Published[];
}

export function isAllowed(rules: AuthRule[], principal: Principal): boolean {
  return rules.some((rule) => {
    if (rule.mode !== principal.mode) return false;
    if (principal.mode !== 'userPool' || !rule.groups) return true;
    const groups = principal.identity.groups ?? [];
    return rule.groups.some((g) => groups.includes(g));
  });
}

export function unauthorizedField(fieldName: string, typeName: string): AppSyncError {
  return new AppSyncError('Unauthorized', `Not Authorized to access ${fieldName} on type ${typeName}`);
}

/**
 * Attaches one resolve function to every object field: AppSync's per-field auth check first, then
 * the configured resolver (`Type.field`) with an AppSync-shaped event, else plain property access.
 */
export function installResolvers(app: AppSyncSchema, resolvers: Record<string, FieldResolver>): void {
  for (const type of Object.values(app.schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const rules = app.rulesFor(type.name, field.name);
      const resolver = resolvers[`${type.name}.${field.name}`];
      field.resolve = async (source, args: Record<string, unknown>, ctx: RequestContext, info) => {
        if (!isAllowed(rules, ctx.principal)) throw unauthorizedField(field.name, type.name);
        if (!resolver || ctx.payloadOnly) return defaultFieldResolver(source, args, ctx, info);
        if (typeof resolver !== 'function') return resolver.none(args);
        return resolverResult(await resolver(resolverEvent(source, args, ctx, info)));
      };
    }
  }
}

function locationsOf(error: GraphQLError): AppSyncErrorEntry['locations'] {
  return error.locations?.map((l) => ({ line: l.line, column: l.column, sourceName: null })) ?? null;
}

function errorTypeOf(error: GraphQLError): string | undefined {
  const original = error.originalError;
  if (!original) return undefined;
  if ('errorType' in original && typeof original.errorType === 'string') return original.errorType;
  // What AppSync reports when a Lambda resolver throws without saying what kind of error it is
  return 'Lambda:Unhandled';
}

function errorInfoOf(error: GraphQLError): Record<string, unknown> | null {
  const original = error.originalError;
  if (original && 'errorInfo' in original && original.errorInfo && typeof original.errorInfo === 'object') {
    return { ...original.errorInfo };
  }
  return null;
}

export function executionError(error: GraphQLError): AppSyncErrorEntry {
  const errorType = errorTypeOf(error);
  return {
    path: error.path ?? null,
    data: null,
    ...(errorType ? { errorType } : {}),
    errorInfo: errorInfoOf(error),
    locations: locationsOf(error),
    message: error.message,
  };
}

export function validationError(error: GraphQLError | string): AppSyncErrorEntry {
  const message = typeof error === 'string' ? error : error.message;
  return {
    path: null,
    locations: typeof error === 'string' ? null : locationsOf(error),
    message: `Validation error: ${message}`,
    errorType: 'ValidationError',
  };
}

export type Prepared =
  | { ok: true; document: DocumentNode; operation: OperationDefinitionNode }
  | { ok: false; errors: AppSyncErrorEntry[] };

// Parsed and validated documents by query text: clients send the same few documents over and over,
// and graphql-js validation (a full visitor pass per rule) was a tenth of the local stack's CPU.
// Documents are never mutated by execute, so one may serve every request. Only successes are kept.
const MAX_CACHED_DOCUMENTS = 500;
const preparedDocuments = new WeakMap<AppSyncSchema, Map<string, Extract<Prepared, { ok: true }>>>();

function prepareUncached(app: AppSyncSchema, request: GraphQLRequest): Prepared {
  let document: DocumentNode;
  try {
    document = parse(request.query, { maxTokens: MAX_QUERY_TOKENS });
  } catch (error) {
    return { ok: false, errors: [validationError(error instanceof GraphQLError ? error : String(error))] };
  }
  const problems = validate(app.schema, document, [...specifiedRules, QueryLimitsRule]);
  if (problems.length > 0) return { ok: false, errors: problems.map((e) => validationError(e)) };
  const operation = getOperationAST(document, request.operationName ?? undefined);
  if (!operation) return { ok: false, errors: [validationError('Cannot determine which operation to run.')] };
  return { ok: true, document, operation };
}

/** Parse, validate and pick the operation: everything that happens before any resolver runs. */
export function prepare(app: AppSyncSchema, request: GraphQLRequest): Prepared {
  let cache = preparedDocuments.get(app);
  if (!cache) {
    cache = new Map();
    preparedDocuments.set(app, cache);
  }
  const key = `${request.operationName ?? ''}\u0000${request.query}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const prepared = prepareUncached(app, request);
  if (prepared.ok) {
    // A client inventing documents must not grow memory without bound
    if (cache.size >= MAX_CACHED_DOCUMENTS) cache.clear();
    cache.set(key, prepared);
  }
  return prepared;
}

function publishedResults(app: AppSyncSchema, operation: OperationDefinitionNode, data: unknown): Published[] {
  if (operation.operation !== 'mutation' || !data || typeof data !== 'object') return [];
  const published: Published[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) continue;
    const mutationField = selection.name.value;
    const payload: unknown = Reflect.get(data, selection.alias?.value ?? mutationField);
    if (payload !== null && payload !== undefined && app.subscriptionsFor(mutationField).length > 0) {
      published.push({ mutationField, payload });
    }
  }
  return published;
}

/** Runs a query or mutation as AppSync would and reports which mutation results should fan out. */
export async function executeRequest(
  app: AppSyncSchema,
  request: GraphQLRequest,
  ctx: RequestContext,
): Promise<ExecuteOutcome> {
  const prepared = prepare(app, request);
  if (!prepared.ok) return { body: { data: null, errors: prepared.errors }, published: [] };
  if (prepared.operation.operation === 'subscription') {
    const error = validationError('Subscriptions are served over the realtime WebSocket endpoint.');
    return { body: { data: null, errors: [error] }, published: [] };
  }
  const result: ExecutionResult = await execute({
    schema: app.schema,
    document: prepared.document,
    variableValues: request.variables ?? undefined,
    operationName: request.operationName ?? undefined,
    contextValue: ctx,
  });
  // graphql-js returns no `data` when variables fail coercion: nothing ran, so it is a validation error
  if (result.data === undefined) {
    return { body: { data: null, errors: (result.errors ?? []).map((e) => validationError(e)) }, published: [] };
  }
  const body = result.errors?.length
    ? { data: result.data, errors: result.errors.map(executionError) }
    : { data: result.data };
  return { body, published: publishedResults(app, prepared.operation, result.data) };
}
