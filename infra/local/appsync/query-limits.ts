/**
 * The limits AppSync can enforce per request, enforced locally too so a hostile document costs no
 * more here than in the cloud: a token budget for parsing (a body just under 1 MiB could otherwise
 * hold ~200k tokens), a nesting depth (AppSync's `queryDepthLimit`) and a number of root fields,
 * each of which invokes a resolver (AppSync's `resolverCountLimit`; here only root fields have one).
 * The cloud API takes the same two numbers as GraphqlApi `queryDepthLimit` and `resolverCountLimit`.
 */
import { GraphQLError, Kind, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';

export const MAX_QUERY_TOKENS = 2_000;
export const MAX_QUERY_DEPTH = 10;
export const MAX_RESOLVER_COUNT = 10;

/** Depth of the deepest field below `set` (a leaf field is 1); stops counting past `limit`. */
function depthOf(ctx: ValidationContext, set: SelectionSetNode, limit: number, seen: Set<string>): number {
  let deepest = 0;
  for (const s of set.selections) {
    let d = 0;
    if (s.kind === Kind.FIELD)
      d = 1 + (s.selectionSet && limit > 0 ? depthOf(ctx, s.selectionSet, limit - 1, seen) : 0);
    else if (s.kind === Kind.INLINE_FRAGMENT) d = depthOf(ctx, s.selectionSet, limit, seen);
    else if (!seen.has(s.name.value)) {
      // A fragment cycle is its own validation error; here it must only not recurse for ever.
      const fragment = ctx.getFragment(s.name.value);
      if (fragment) d = depthOf(ctx, fragment.selectionSet, limit, new Set([...seen, s.name.value]));
    }
    deepest = Math.max(deepest, d);
  }
  return deepest;
}

/** Root fields an operation selects, through fragments (each one a resolver invocation). */
function rootFields(ctx: ValidationContext, set: SelectionSetNode, seen: Set<string>): number {
  let n = 0;
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) n += s.name.value === '__typename' ? 0 : 1;
    else if (s.kind === Kind.INLINE_FRAGMENT) n += rootFields(ctx, s.selectionSet, seen);
    else if (!seen.has(s.name.value)) {
      const fragment = ctx.getFragment(s.name.value);
      if (fragment) n += rootFields(ctx, fragment.selectionSet, new Set([...seen, s.name.value]));
    }
  }
  return n;
}

export const QueryLimitsRule: ValidationRule = (ctx) => ({
  OperationDefinition(op) {
    const depth = depthOf(ctx, op.selectionSet, MAX_QUERY_DEPTH + 1, new Set());
    if (depth > MAX_QUERY_DEPTH) {
      ctx.reportError(
        new GraphQLError(`Query depth exceeds the maximum allowed depth of ${MAX_QUERY_DEPTH}.`, { nodes: op }),
      );
    }
    const resolvers = rootFields(ctx, op.selectionSet, new Set());
    if (resolvers > MAX_RESOLVER_COUNT) {
      ctx.reportError(
        new GraphQLError(`Query selects ${resolvers} resolvers; the maximum allowed is ${MAX_RESOLVER_COUNT}.`, {
          nodes: op,
        }),
      );
    }
  },
});
