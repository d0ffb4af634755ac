import { describe, expect, it } from 'vitest';
import { executeRequest, installResolvers } from '../../../infra/local/appsync/appsync-execute.js';
import { loadAppSyncSchema } from '../../../infra/local/appsync/appsync-schema.js';
import type { AppSyncEvent, FieldResolver, Principal } from '../../../infra/local/appsync/appsync-types.js';
import { AppSyncError } from '../../../infra/local/appsync/appsync-types.js';
import { iamPrincipal, TEST_SDL, userPrincipal } from './fixtures.js';

function setup(resolvers: Record<string, FieldResolver>) {
  const app = loadAppSyncSchema(TEST_SDL);
  installResolvers(app, resolvers);
  const run = (query: string, principal: Principal = userPrincipal('u1'), variables: Record<string, unknown> = {}) =>
    executeRequest(app, { query, variables }, { principal, headers: { 'x-test': 'yes' } });
  return { app, run };
}

describe('executeRequest', () => {
  it('hands a resolver an AppSync event: arguments, identity, headers, selection set list with fragments', async () => {
    const events: AppSyncEvent[] = [];
    const { run } = setup({
      'Query.item': async (event) => {
        events.push(event);
        return { id: 'i1', ownerId: 'u1', child: { id: 'c1', ownerId: 'u1' } };
      },
    });
    const out = await run(
      'query Q($id: ID!) { item(id: $id) { ...F child { id } } } fragment F on Item { id ownerId __typename }',
      userPrincipal('u1'),
      { id: 'i1' },
    );
    expect(out.body).toEqual({ data: { item: { id: 'i1', ownerId: 'u1', __typename: 'Item', child: { id: 'c1' } } } });
    expect(events[0]).toMatchObject({
      arguments: { id: 'i1' },
      identity: { sub: 'u1', defaultAuthStrategy: 'ALLOW' },
      source: null,
      request: { headers: { 'x-test': 'yes' }, domainName: null },
      info: {
        fieldName: 'item',
        parentTypeName: 'Query',
        variables: { id: 'i1' },
        selectionSetList: ['id', 'ownerId', 'child', 'child/id'],
      },
      prev: null,
      stash: {},
    });
  });

  it('answers a NONE data source field from its arguments, with no Lambda event built', async () => {
    const seen: Record<string, unknown>[] = [];
    const { run } = setup({
      'Query.item': {
        none: (args) => {
          seen.push(args);
          return { id: args.id, ownerId: 'u1' };
        },
      },
    });
    const out = await run('query Q($id: ID!) { item(id: $id) { id ownerId } }', userPrincipal('u1'), { id: 'i9' });
    expect(out.body).toEqual({ data: { item: { id: 'i9', ownerId: 'u1' } } });
    expect(seen).toEqual([{ id: 'i9' }]);
  });

  it('passes results through JSON like a Lambda response (Dates become ISO strings)', async () => {
    const { run } = setup({
      'Query.item': async () => ({ id: 'i1', ownerId: 'u1', at: new Date('2025-01-02T03:04:05.000Z') }),
    });
    const out = await run('{ item(id: "i1") { at } }');
    expect(out.body).toEqual({ data: { item: { at: '2025-01-02T03:04:05.000Z' } } });
  });

  it('maps a thrown errorType to errors[] with path and locations, and an untyped throw to Lambda:Unhandled', async () => {
    const { run } = setup({
      'Query.item': async () => {
        throw new AppSyncError('SESSION.NOT_YOURS', 'Not your session', { sessionId: 'i1' });
      },
      'Query.items': async () => {
        throw new Error('boom');
      },
    });
    const typed = await run('{ item(id: "i1") { id } }');
    expect(typed.body).toEqual({
      data: { item: null },
      errors: [
        {
          path: ['item'],
          data: null,
          errorType: 'SESSION.NOT_YOURS',
          errorInfo: { sessionId: 'i1' },
          locations: [{ line: 1, column: 3, sourceName: null }],
          message: 'Not your session',
        },
      ],
    });
    const untyped = await run('{ items { id } }');
    expect(untyped.body.errors?.[0]).toMatchObject({ errorType: 'Lambda:Unhandled', message: 'boom' });
  });

  it('nulls a field the caller may not read and keeps the rest, as AppSync does', async () => {
    const { run } = setup({ 'Query.item': async () => ({ id: 'i1', ownerId: 'u1', secret: 's3cr3t' }) });
    const out = await run('{ item(id: "i1") { id secret } }');
    expect(out.body).toEqual({
      data: { item: { id: 'i1', secret: null } },
      errors: [
        expect.objectContaining({
          errorType: 'Unauthorized',
          message: 'Not Authorized to access secret on type Item',
          path: ['item', 'secret'],
        }),
      ],
    });
  });

  it('refuses a group-restricted field to a caller outside the group without running its resolver', async () => {
    let ran = 0;
    const { run } = setup({
      'Query.audit': async () => {
        ran++;
        return [];
      },
    });
    expect((await run('{ audit { id } }', userPrincipal('u1', ['drivers']))).body.errors?.[0]?.errorType).toBe(
      'Unauthorized',
    );
    expect((await run('{ audit { id } }', userPrincipal('op', ['operators']))).body).toEqual({ data: { audit: [] } });
    expect(ran).toBe(1);
  });

  it('reports syntax, validation and variable errors as ValidationError without running resolvers', async () => {
    let ran = 0;
    const { run } = setup({
      'Query.item': async () => {
        ran++;
        return null;
      },
    });
    const bodies = [
      (await run('{ item(id: ')).body,
      (await run('{ item { id } }')).body,
      (await run('{ item(id: "1") { nope } }')).body,
      (await run('query Q($id: ID!) { item(id: $id) { id } }', userPrincipal('u1'), {})).body,
      (await run('{ echoUrl(value: "not a url") }')).body,
      (await run('subscription { onItem { id } }')).body,
    ];
    for (const body of bodies) {
      expect(body).toMatchObject({ data: null, errors: [expect.objectContaining({ errorType: 'ValidationError' })] });
    }
    expect(ran).toBe(0);
  });

  it('parses AWSJSON input for resolvers and serializes their values back to a JSON string', async () => {
    const seen: unknown[] = [];
    const { run } = setup({
      'Query.echoJson': async (event) => {
        seen.push(event.arguments.value);
        return { answer: 42 };
      },
    });
    const out = await run('{ echoJson(value: "{\\"a\\":[1,2]}") }');
    expect(seen).toEqual([{ a: [1, 2] }]);
    expect(out.body).toEqual({ data: { echoJson: '{"answer":42}' } });
    expect((await run('{ echoJson(value: "{nope") }')).body.errors?.[0]?.errorType).toBe('ValidationError');
  });

  it('accepts well-formed AppSync scalars and rejects malformed ones', async () => {
    const { run } = setup({
      'Query.echoEmail': async (e) => e.arguments.value,
      'Query.echoDate': async (e) => e.arguments.value,
      'Query.echoTimestamp': async (e) => e.arguments.value,
    });
    expect((await run('{ echoEmail(value: "a@b.jp") }')).body).toEqual({ data: { echoEmail: 'a@b.jp' } });
    expect((await run('{ echoDate(value: "2025-02-28") }')).body).toEqual({ data: { echoDate: '2025-02-28' } });
    expect((await run('{ echoTimestamp(value: 1700000000) }')).body).toEqual({ data: { echoTimestamp: 1700000000 } });
    for (const bad of ['{ echoEmail(value: "nope") }', '{ echoDate(value: "28/02/2025") }']) {
      expect((await run(bad)).body.errors?.[0]?.errorType).toBe('ValidationError');
    }
  });

  it('reports non-null mutation results of @aws_subscribe-wired mutations for fan-out, under their field name', async () => {
    const { run } = setup({ 'Mutation.putItem': async (e) => ({ ...e.arguments }) });
    const out = await run('mutation { renamed: putItem(id: "i1", ownerId: "u9") { id ownerId } }', iamPrincipal);
    expect(out.body).toEqual({ data: { renamed: { id: 'i1', ownerId: 'u9' } } });
    expect(out.published).toEqual([{ mutationField: 'putItem', payload: { id: 'i1', ownerId: 'u9' } }]);
    const denied = await run('mutation { putItem(id: "i1", ownerId: "u9") { id } }', userPrincipal('u1'));
    expect(denied.published).toEqual([]);
  });
});
