import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { installResolvers } from '../../../infra/local/appsync/appsync-execute.js';
import { loadAppSyncSchema } from '../../../infra/local/appsync/appsync-schema.js';
import type { Principal, SubscriptionFilter } from '../../../infra/local/appsync/appsync-types.js';
import { matchesArguments, SubscriptionRegistry } from '../../../infra/local/appsync/subscription-registry.js';
import { TEST_SDL, userPrincipal } from './fixtures.js';

describe('matchesArguments (AppSync argument rule)', () => {
  it('ignores arguments the subscriber left null', () => {
    expect(matchesArguments({ id: null, ownerId: undefined }, { id: 'i1' })).toBe(true);
  });
  it('requires every set argument to equal the same-named result field, IDs compared as strings', () => {
    expect(matchesArguments({ id: 'i1' }, { id: 'i1', ownerId: 'u1' })).toBe(true);
    expect(matchesArguments({ id: '7' }, { id: 7 })).toBe(true);
    expect(matchesArguments({ id: 'i1' }, { id: 'i2' })).toBe(false);
  });
  it('never matches when the result lacks the argument’s field', () => {
    expect(matchesArguments({ ownerId: 'u1' }, { id: 'i1' })).toBe(false);
    expect(matchesArguments({ id: 'i1' }, null)).toBe(false);
  });
});

describe('SubscriptionRegistry.publish', () => {
  const ownerOnly: SubscriptionFilter = (payload, identity) =>
    'sub' in identity &&
    typeof payload === 'object' &&
    payload !== null &&
    Reflect.get(payload, 'ownerId') === identity.sub;

  function setup(filters: Record<string, SubscriptionFilter>) {
    const app = loadAppSyncSchema(TEST_SDL);
    installResolvers(app, {
      // Must not run for payload delivery: subscription data comes from the mutation result
      'Item.child': async () => {
        throw new Error('nested resolver ran');
      },
    });
    const registry = new SubscriptionRegistry(app, filters);
    const inbox = new Map<string, unknown[]>();
    const subscribe = (
      connectionId: string,
      id: string,
      principal: Principal,
      args: Record<string, unknown>,
      query = 'subscription { onItem { id ownerId } }',
    ) => {
      inbox.set(`${connectionId}/${id}`, []);
      registry.add({
        id,
        connectionId,
        fieldName: 'onItem',
        args,
        document: parse(query),
        variables: {},
        principal,
        headers: {},
        send: (message) => inbox.get(`${connectionId}/${id}`)?.push(message),
      });
    };
    return { registry, inbox, subscribe };
  }

  it('delivers to the owner only, even when another user subscribes with the same arguments', async () => {
    const { registry, inbox, subscribe } = setup({ 'Subscription.onItem': ownerOnly });
    subscribe('c1', 's1', userPrincipal('alice'), { id: 'i1' });
    subscribe('c2', 's1', userPrincipal('bob'), { id: 'i1' });
    const delivered = await registry.publish({ mutationField: 'putItem', payload: { id: 'i1', ownerId: 'alice' } });
    expect(delivered).toBe(1);
    expect(inbox.get('c1/s1')).toEqual([
      { id: 's1', type: 'data', payload: { data: { onItem: { id: 'i1', ownerId: 'alice' } } } },
    ]);
    expect(inbox.get('c2/s1')).toEqual([]);
  });

  it('without a filter, the argument rule alone decides (what AppSync does with no enhanced filter)', async () => {
    const { registry, inbox, subscribe } = setup({});
    subscribe('c1', 'a', userPrincipal('alice'), { id: 'i1' });
    subscribe('c2', 'b', userPrincipal('bob'), { id: 'i1' });
    subscribe('c2', 'c', userPrincipal('bob'), { id: 'i2' });
    expect(await registry.publish({ mutationField: 'putItem', payload: { id: 'i1', ownerId: 'alice' } })).toBe(2);
    expect(inbox.get('c2/c')).toEqual([]);
  });

  it('fails closed when a filter throws', async () => {
    const { registry, inbox, subscribe } = setup({
      'Subscription.onItem': () => {
        throw new Error('cannot decide');
      },
    });
    subscribe('c1', 's1', userPrincipal('alice'), {});
    expect(await registry.publish({ mutationField: 'putItem', payload: { id: 'i1', ownerId: 'alice' } })).toBe(0);
    expect(inbox.get('c1/s1')).toEqual([]);
  });

  it("shapes each payload by the subscriber's selection set, without running nested resolvers", async () => {
    const { registry, inbox, subscribe } = setup({});
    subscribe('c1', 's1', userPrincipal('alice'), {}, 'subscription { onItem { ownerId child { id } } }');
    await registry.publish({ mutationField: 'putItem', payload: { id: 'i1', ownerId: 'alice', child: { id: 'c' } } });
    expect(inbox.get('c1/s1')).toEqual([
      { id: 's1', type: 'data', payload: { data: { onItem: { ownerId: 'alice', child: { id: 'c' } } } } },
    ]);
  });

  it('forgets a stopped subscription and every subscription of a closed connection', async () => {
    const { registry, inbox, subscribe } = setup({});
    subscribe('c1', 's1', userPrincipal('alice'), {});
    subscribe('c1', 's2', userPrincipal('alice'), {});
    subscribe('c2', 's1', userPrincipal('bob'), {});
    expect(registry.remove('c2', 's1')).toBe(true);
    registry.removeConnection('c1');
    expect(registry.countFor('c1')).toBe(0);
    expect(await registry.publish({ mutationField: 'putItem', payload: { id: 'i1', ownerId: 'alice' } })).toBe(0);
    expect([...inbox.values()].flat()).toEqual([]);
  });
});
