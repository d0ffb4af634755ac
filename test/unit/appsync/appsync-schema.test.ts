import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAllowed } from '../../../infra/local/appsync/appsync-execute.js';
import { loadAppSyncSchema } from '../../../infra/local/appsync/appsync-schema.js';
import { iamPrincipal, TEST_SDL, userPrincipal } from './fixtures.js';

const contract = readFileSync(resolve(import.meta.dirname, '../../../contracts/schema.graphql'), 'utf8');

describe('loadAppSyncSchema', () => {
  it('loads the contract schema with AppSync directives and scalars declared', () => {
    const app = loadAppSyncSchema(contract);
    expect(app.schema.getQueryType()?.name).toBe('Query');
    expect(app.schema.getType('AWSDateTime')).toBeDefined();
  });

  it('gives unannotated fields the default mode and lets field directives override type directives', () => {
    const app = loadAppSyncSchema(contract);
    expect(app.rulesFor('Query', 'stations')).toEqual([{ mode: 'userPool' }]);
    expect(app.rulesFor('Mutation', 'publishSessionUpdate')).toEqual([{ mode: 'iam' }]);
    expect(app.rulesFor('Mutation', 'startCharge')).toEqual([{ mode: 'userPool' }]);
    expect(app.rulesFor('ChargingSession', 'driverId')).toEqual([{ mode: 'userPool' }, { mode: 'iam' }]);
    expect(app.rulesFor('Me', 'balanceYen')).toEqual([{ mode: 'userPool' }]);
    const test = loadAppSyncSchema(TEST_SDL);
    expect(test.rulesFor('Item', 'secret')).toEqual([{ mode: 'iam' }]);
  });

  it('wires each publish mutation to the subscriptions that name it in @aws_subscribe', () => {
    const app = loadAppSyncSchema(contract);
    expect(app.subscriptionsFor('publishSessionUpdate')).toEqual(['onSessionUpdate', 'onMySessionUpdates']);
    expect(app.mutationsFor('onMySessionUpdates')).toEqual(['publishSessionUpdate']);
    expect(app.subscriptionsFor('publishStationUpdate')).toEqual(['onStationUpdate']);
    expect(app.subscriptionsFor('startCharge')).toEqual([]);
    expect(app.mutationsFor('onSessionUpdate')).toEqual(['publishSessionUpdate']);
  });
});

describe('isAllowed', () => {
  const test = loadAppSyncSchema(TEST_SDL);

  it('admits a caller whose auth mode one of the rules names', () => {
    expect(isAllowed(test.rulesFor('Item', 'id'), userPrincipal('u1'))).toBe(true);
    expect(isAllowed(test.rulesFor('Item', 'id'), iamPrincipal)).toBe(true);
    expect(isAllowed(test.rulesFor('Item', 'secret'), userPrincipal('u1'))).toBe(false);
    expect(isAllowed(test.rulesFor('Query', 'items'), iamPrincipal)).toBe(false);
  });

  it('requires membership of a listed Cognito group when the directive names groups', () => {
    const rules = test.rulesFor('Query', 'audit');
    expect(rules).toEqual([{ mode: 'userPool', groups: ['operators'] }]);
    expect(isAllowed(rules, userPrincipal('u1'))).toBe(false);
    expect(isAllowed(rules, userPrincipal('u1', ['drivers']))).toBe(false);
    expect(isAllowed(rules, userPrincipal('op', ['operators']))).toBe(true);
  });
});
