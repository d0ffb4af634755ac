import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MAX_QUERY_DEPTH, MAX_RESOLVER_COUNT, QueryLimitsRule } from '../../../infra/local/appsync/query-limits.js';

const schema = buildSchema('type Query { a: A b: Int } type A { a: A b: Int }');
const problems = (query: string) =>
  validate(schema, parse(query), [...specifiedRules, QueryLimitsRule]).map((e) => e.message);
/** `{ a { a { … b } } }` with `depth` field levels in all. */
const nested = (depth: number) => `{ ${'a { '.repeat(depth - 1)}b${' }'.repeat(depth - 1)} }`;

describe('local AppSync query limits', () => {
  it(`serves a document ${MAX_QUERY_DEPTH} levels deep and refuses one level more`, () => {
    expect(problems(nested(1))).toEqual([]);
    expect(problems(nested(MAX_QUERY_DEPTH))).toEqual([]);
    expect(problems(nested(MAX_QUERY_DEPTH + 1))).toEqual([
      `Query depth exceeds the maximum allowed depth of ${MAX_QUERY_DEPTH}.`,
    ]);
    expect(problems(nested(200))).toHaveLength(1);
  });

  it('counts depth through fragments and inline fragments, and survives a fragment cycle', () => {
    const viaFragments = `{ ...F } fragment F on Query { a { ... on A { ${nested(MAX_QUERY_DEPTH).slice(2, -2)} } } }`;
    expect(problems(viaFragments)).toEqual([`Query depth exceeds the maximum allowed depth of ${MAX_QUERY_DEPTH}.`]);
    const cycle = problems('{ a { ...G } } fragment G on A { a { ...G } }');
    expect(cycle.some((m) => m.includes('Cannot spread fragment "G" within itself'))).toBe(true);
  });

  it(`allows ${MAX_RESOLVER_COUNT} root fields (one resolver each) and refuses more`, () => {
    const roots = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `x${i}: b`).join(' ')} __typename }`;
    expect(problems(roots(MAX_RESOLVER_COUNT))).toEqual([]);
    expect(problems(roots(MAX_RESOLVER_COUNT + 1))).toEqual([
      `Query selects ${MAX_RESOLVER_COUNT + 1} resolvers; the maximum allowed is ${MAX_RESOLVER_COUNT}.`,
    ]);
  });
});
