import {
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  Kind,
  print,
  type SelectionSetNode,
} from 'graphql';
import type { AppSyncEvent, Principal } from './appsync-types.js';

/** Per-request state graphql-js threads through every field resolver. */
export interface RequestContext {
  principal: Principal;
  /** Lower-case request headers, as AppSync passes them to resolvers. */
  headers: Record<string, string | undefined>;
  /** Delivering a subscription payload: fields come from the mutation's result, no resolver runs. */
  payloadOnly?: boolean;
}

function collectSelections(
  selectionSet: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  prefix: string,
  out: string[],
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name === '__typename') continue;
      const path = prefix ? `${prefix}/${name}` : name;
      if (!out.includes(path)) out.push(path);
      if (selection.selectionSet) collectSelections(selection.selectionSet, fragments, path, out);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectSelections(selection.selectionSet, fragments, prefix, out);
    } else {
      const fragment = fragments[selection.name.value];
      if (fragment) collectSelections(fragment.selectionSet, fragments, prefix, out);
    }
  }
}

/** AppSync's `info.selectionSetList`: every selected field path below a field, fragments flattened. */
export function selectionPaths(
  selectionSet: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
): string[] {
  const out: string[] = [];
  collectSelections(selectionSet, fragments, '', out);
  return out;
}

export function selectionSetList(info: GraphQLResolveInfo): string[] {
  const out: string[] = [];
  for (const node of info.fieldNodes) {
    if (node.selectionSet) collectSelections(node.selectionSet, info.fragments, '', out);
  }
  return out;
}

interface SelectionInfo {
  list: string[];
  graphql: string;
}

// Parsed documents are cached (appsync-execute), so the same field node comes back on every request
// with that document: printing and walking its selection set once is enough. (A field selected more
// than once in a request is merged from several nodes; that rare case is computed every time.)
const selections = new WeakMap<FieldNode, SelectionInfo>();

function selectionOf(info: GraphQLResolveInfo): SelectionInfo {
  const node = info.fieldNodes.length === 1 ? info.fieldNodes[0] : undefined;
  const known = node ? selections.get(node) : undefined;
  if (known) return known;
  const selectionSet = info.fieldNodes[0]?.selectionSet;
  const computed = { list: selectionSetList(info), graphql: selectionSet ? print(selectionSet) : '' };
  if (node) selections.set(node, computed);
  return computed;
}

function jsonCopy<T>(value: T): T {
  return value === undefined ? value : JSON.parse(JSON.stringify(value));
}

/** The event AppSync sends a direct Lambda resolver; a JSON copy, as after serialization. */
export function resolverEvent(
  source: unknown,
  args: Record<string, unknown>,
  ctx: RequestContext,
  info: GraphQLResolveInfo,
): AppSyncEvent {
  const isRoot = info.path.prev === undefined;
  const selection = selectionOf(info);
  return jsonCopy({
    arguments: { ...args },
    identity: ctx.principal.identity,
    source: isRoot || source === null || typeof source !== 'object' ? null : { ...source },
    request: { headers: ctx.headers, domainName: null },
    info: {
      fieldName: info.fieldName,
      parentTypeName: info.parentType.name,
      variables: { ...info.variableValues },
      selectionSetList: [...selection.list],
      selectionSetGraphQL: selection.graphql,
    },
    prev: null,
    stash: {},
  });
}

/** A resolver's result crosses a serialization boundary in AppSync too: Dates become strings, undefined null. */
export function resolverResult(value: unknown): unknown {
  return value === undefined ? null : jsonCopy(value);
}
