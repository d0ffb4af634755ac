import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryAnomalyRepository } from '../../../functions/src/adapters/memory/memory-anomaly-repository.js';
import { LogAlerts } from '../../../functions/src/adapters/system/log-alerts.js';
import { OPERATORS_GROUP } from '../../../functions/src/handlers/graphql/resolver-kit.js';
import { makeHandler } from '../../../functions/src/handlers/queries.js';
import { makeOperatorUseCases } from '../../../functions/src/use-cases/operator-use-cases.js';
import { isAllowed } from '../../../infra/local/appsync/appsync-execute.js';
import { loadAppSyncSchema } from '../../../infra/local/appsync/appsync-schema.js';
import { iamPrincipal, userPrincipal } from '../appsync/fixtures.js';
import { harness, value } from '../use-cases/harness.js';
import { type CallerOpts, driverIdentity, refusal, resolverEvent } from './resolver-fixtures.js';

const OPERATOR: CallerOpts = { groups: [OPERATORS_GROUP] };

async function world() {
  const h = harness();
  for (const id of ['TKY-001', 'TKY-002', 'TKY-003']) await h.addStation(id);
  await h.driverWithCard('drv-1');
  await h.driverWithCard('drv-2');
  const anomalies = new MemoryAnomalyRepository();
  const handler = makeHandler({
    ...h.uc,
    ...makeOperatorUseCases({ sessions: h.sessions, alertsFeed: h.alerts, anomalies, clock: h.clock }),
    logger: h.logger,
  });
  const ask = (field: string, args: Record<string, unknown> = {}, sub: string | null = 'op-1', opts = OPERATOR) =>
    handler(resolverEvent(field, args, sub ? driverIdentity(sub, opts) : null));
  const start = async (driverId: string, stationId: string) =>
    value(await h.uc.startCharge({ driverId, stationId, startKey: `k-${stationId}` })).session;
  return { h, ask, start, anomalies };
}

const OPERATOR_FIELDS = [
  'Query.operatorSessions',
  'Query.operatorAlerts',
  'Query.operatorAnomalies',
  'Mutation.reviewAnomaly',
];

describe('operator gate', () => {
  it('refuses every operator field without a signed-in user as UNAUTHORIZED', async () => {
    const { ask } = await world();
    for (const field of OPERATOR_FIELDS) {
      expect((await refusal(ask(field, {}, null))).errorType).toBe('UNAUTHORIZED');
    }
  });

  it('refuses a driver outside the operators group as FORBIDDEN, whatever other groups they are in', async () => {
    const { h, ask, start } = await world();
    await start('drv-1', 'TKY-001');
    for (const opts of [{}, { groups: ['drivers', 'Operators', 'operators-readonly'] }]) {
      for (const field of OPERATOR_FIELDS) {
        const e = await refusal(ask(field, { id: 'DOUBLE_CHARGE:ses-1', note: 'x' }, 'drv-2', opts));
        expect(e).toMatchObject({ errorType: 'FORBIDDEN', message: 'Only operators may see this.' });
      }
    }
    expect(h.logger.at('info').filter((r) => r.fields?.errorType === 'FORBIDDEN')).toHaveLength(8);
  });

  it('checks the group before the arguments (a non-operator learns nothing about them)', async () => {
    const { ask } = await world();
    const e = await refusal(ask('Query.operatorSessions', { states: ['NOPE'] }, 'drv-2', {}));
    expect(e.errorType).toBe('FORBIDDEN');
  });
});

describe('operator gate in the schema (AppSync checks it before any resolver runs)', () => {
  const app = loadAppSyncSchema(
    readFileSync(resolve(import.meta.dirname, '../../../contracts/schema.graphql'), 'utf8'),
  );

  it('restricts every operator field to the operators group, and only them', () => {
    for (const field of OPERATOR_FIELDS) {
      const [type = '', name = ''] = field.split('.');
      const rules = app.rulesFor(type, name);
      expect(rules).toEqual([{ mode: 'userPool', groups: [OPERATORS_GROUP] }]);
      expect(isAllowed(rules, userPrincipal('op-1', [OPERATORS_GROUP]))).toBe(true);
      expect(isAllowed(rules, userPrincipal('drv-1', ['drivers']))).toBe(false);
      expect(isAllowed(rules, userPrincipal('drv-1'))).toBe(false);
      expect(isAllowed(rules, iamPrincipal)).toBe(false);
    }
    expect(isAllowed(app.rulesFor('Query', 'stations'), userPrincipal('drv-1'))).toBe(true);
  });
});

describe('Query.operatorSessions', () => {
  it("shows every driver's unsettled sessions by default, most recently changed first", async () => {
    const { h, ask, start } = await world();
    const a = await start('drv-1', 'TKY-001');
    h.clock.advance(1_000);
    const b = await start('drv-2', 'TKY-002');
    h.clock.advance(1_000);
    value(await h.ackClose(a.id, 5_000)); // a changes last: CHARGING
    const out = await ask('Query.operatorSessions');
    expect(out).toMatchObject([
      { id: a.id, driverId: 'drv-1', state: 'CHARGING' },
      { id: b.id, driverId: 'drv-2', state: 'ENERGIZING' },
    ]);
  });

  it('filters by state and limits the count', async () => {
    const { h, ask, start } = await world();
    const a = await start('drv-1', 'TKY-001');
    const b = await start('drv-2', 'TKY-002');
    h.clock.advance(h.deps.config.ackTimeoutMs + 1);
    value(await h.uc.sweepStale());
    expect(await ask('Query.operatorSessions', { states: ['FAILED_TO_START'] })).toMatchObject([
      { id: a.id, state: 'FAILED_TO_START' },
      { id: b.id, state: 'FAILED_TO_START' },
    ]);
    expect(await ask('Query.operatorSessions', { states: ['FAILED_TO_START'], limit: 1 })).toHaveLength(1);
    expect(await ask('Query.operatorSessions', { states: ['CHARGING'] })).toEqual([]);
    expect(await ask('Query.operatorSessions', { states: null, limit: null })).toEqual([]);
  });

  it('refuses unknown states and out-of-range limits as VALIDATION naming the argument', async () => {
    const { ask } = await world();
    expect(await refusal(ask('Query.operatorSessions', { states: ['PAID', 'LOST'] }))).toMatchObject({
      errorType: 'VALIDATION',
      errorInfo: { fields: ['states.1'] },
    });
    expect(await refusal(ask('Query.operatorSessions', { states: [] }))).toMatchObject({
      errorInfo: { fields: ['states'] },
    });
    for (const limit of [0, 201, 1.5]) {
      expect(await refusal(ask('Query.operatorSessions', { limit }))).toMatchObject({
        errorType: 'VALIDATION',
        errorInfo: { fields: ['limit'] },
      });
    }
  });
});

describe('Query.operatorAlerts', () => {
  it('lists raised alerts newest first with when they were raised', async () => {
    const { h, ask } = await world();
    await h.alerts.raise({ code: 'STATION_FAULT_tripped', stationId: 'TKY-001', detail: 'RCD trip' });
    h.clock.advance(60_000);
    await h.alerts.raise({ code: 'SESSION_PAID_TWICE', sessionId: 'ses-9', detail: 'refund one by hand' });
    expect(await ask('Query.operatorAlerts')).toEqual([
      {
        code: 'SESSION_PAID_TWICE',
        detail: 'refund one by hand',
        sessionId: 'ses-9',
        stationId: null,
        at: h.clock.iso(),
      },
      {
        code: 'STATION_FAULT_tripped',
        detail: 'RCD trip',
        sessionId: null,
        stationId: 'TKY-001',
        at: '2026-03-01T09:00:00.000Z',
      },
    ]);
    expect(await ask('Query.operatorAlerts', { limit: 1 })).toMatchObject([{ code: 'SESSION_PAID_TWICE' }]);
    expect(await refusal(ask('Query.operatorAlerts', { limit: 500 }))).toMatchObject({
      errorType: 'VALIDATION',
      errorInfo: { fields: ['limit'] },
    });
  });
});

describe('operator use-cases', () => {
  it('refuse out-of-range limits themselves as well (VALIDATION), whatever the edge let through', async () => {
    const h = harness();
    const op = makeOperatorUseCases({
      sessions: h.sessions,
      alertsFeed: h.alerts,
      anomalies: new MemoryAnomalyRepository(),
      clock: h.clock,
    });
    expect((await op.operatorSessions({ limit: 0 })).ok).toBe(false);
    expect((await op.operatorAlerts({ limit: 201 })).ok).toBe(false);
    expect(value(await op.operatorAlerts({}))).toEqual([]);
  });

  it('read sessions once per wanted state, duplicates removed', async () => {
    const asked: string[] = [];
    const op = makeOperatorUseCases({
      sessions: {
        listByState: async (state, limit) => {
          asked.push(`${state}:${limit}`);
          return [];
        },
      },
      alertsFeed: { recent: async () => [] },
      anomalies: new MemoryAnomalyRepository(),
      clock: { now: () => new Date() },
    });
    value(await op.operatorSessions({ states: ['PAID', 'PAID', 'PAYMENT_FAILED'], limit: 5 }));
    expect(asked).toEqual(['PAID:5', 'PAYMENT_FAILED:5']);
  });
});

describe('LogAlerts as the local alerts feed', () => {
  it('logs each alert and keeps a bounded newest-first list', async () => {
    const h = harness();
    const alerts = new LogAlerts(h.logger, 2, () => h.clock.now());
    for (const n of [1, 2, 3]) {
      await alerts.raise({ code: `A${n}`, detail: `alert ${n}` });
      h.clock.advance(1_000);
    }
    expect((await alerts.recent(10)).map((a) => a.code)).toEqual(['A3', 'A2']);
    expect(await alerts.recent(1)).toEqual([{ code: 'A3', detail: 'alert 3', at: '2026-03-01T09:00:02.000Z' }]);
    expect(await alerts.recent(0)).toEqual([]);
    expect(h.logger.at('error').map((r) => [r.msg, r.fields?.code])).toEqual([
      ['ALERT', 'A1'],
      ['ALERT', 'A2'],
      ['ALERT', 'A3'],
    ]);
  });
});

const T = (n: number) => new Date(Date.parse('2026-03-01T09:00:00.000Z') + n * 60_000).toISOString();
const anomaly = (kind: 'DOUBLE_CHARGE' | 'AMOUNT_MISMATCH', subject: string) => ({
  id: `${kind}:${subject}`,
  kind,
  subject,
  sessionId: subject,
  detail: `${kind} on ${subject}`,
  evidence: { amountYen: 200, intents: 'pi_1,pi_2' },
});

describe('Query.operatorAnomalies', () => {
  it('lists anomalies newest first with their evidence as JSON; open filters out reviewed ones', async () => {
    const { ask, anomalies } = await world();
    await anomalies.record(anomaly('DOUBLE_CHARGE', 'ses-1'), T(1));
    await anomalies.record(anomaly('AMOUNT_MISMATCH', 'ses-2'), T(2));
    await anomalies.review('DOUBLE_CHARGE:ses-1', { operatorId: 'op-1', note: 'refunded by hand', at: T(3) });
    const all = await ask('Query.operatorAnomalies');
    expect(all).toEqual([
      {
        id: 'AMOUNT_MISMATCH:ses-2',
        kind: 'AMOUNT_MISMATCH',
        subject: 'ses-2',
        sessionId: 'ses-2',
        stationId: null,
        paymentIntentId: null,
        detail: 'AMOUNT_MISMATCH on ses-2',
        evidence: JSON.stringify({ amountYen: 200, intents: 'pi_1,pi_2' }),
        foundAt: T(2),
        review: null,
      },
      expect.objectContaining({
        id: 'DOUBLE_CHARGE:ses-1',
        review: { operatorId: 'op-1', note: 'refunded by hand', at: T(3) },
      }),
    ]);
    expect(await ask('Query.operatorAnomalies', { open: true })).toMatchObject([{ id: 'AMOUNT_MISMATCH:ses-2' }]);
    expect(await ask('Query.operatorAnomalies', { open: false })).toMatchObject([{ id: 'DOUBLE_CHARGE:ses-1' }]);
    expect(await ask('Query.operatorAnomalies', { limit: 1 })).toHaveLength(1);
    expect(await refusal(ask('Query.operatorAnomalies', { limit: 201 }))).toMatchObject({
      errorType: 'VALIDATION',
      errorInfo: { fields: ['limit'] },
    });
  });
});

describe('Mutation.reviewAnomaly', () => {
  it('marks it reviewed by the calling operator with the trimmed note and the time', async () => {
    const { h, ask, anomalies } = await world();
    await anomalies.record(anomaly('DOUBLE_CHARGE', 'ses-1'), T(1));
    const out = await ask('Mutation.reviewAnomaly', { id: 'DOUBLE_CHARGE:ses-1', note: '  refunded pi_2 by hand ' });
    const review = { operatorId: 'op-1', note: 'refunded pi_2 by hand', at: h.clock.iso() };
    expect(out).toMatchObject({ id: 'DOUBLE_CHARGE:ses-1', review });
    expect(await anomalies.get('DOUBLE_CHARGE:ses-1')).toMatchObject({ review });
  });

  it('refuses an empty note, an unknown id and a second review (the first stands), all as VALIDATION', async () => {
    const { ask, anomalies } = await world();
    await anomalies.record(anomaly('DOUBLE_CHARGE', 'ses-1'), T(1));
    for (const note of ['', '   ']) {
      expect(await refusal(ask('Mutation.reviewAnomaly', { id: 'DOUBLE_CHARGE:ses-1', note }))).toMatchObject({
        errorType: 'VALIDATION',
        message: 'A review needs a note saying what was done.',
      });
    }
    expect(await refusal(ask('Mutation.reviewAnomaly', { id: 'DOUBLE_CHARGE:nope', note: 'x' }))).toMatchObject({
      errorType: 'VALIDATION',
      message: 'No anomaly DOUBLE_CHARGE:nope.',
    });
    expect(await refusal(ask('Mutation.reviewAnomaly', { id: 'bad id!', note: 'x' }))).toMatchObject({
      errorType: 'VALIDATION',
      errorInfo: { fields: ['id'] },
    });
    await ask('Mutation.reviewAnomaly', { id: 'DOUBLE_CHARGE:ses-1', note: 'first' });
    const again = await refusal(ask('Mutation.reviewAnomaly', { id: 'DOUBLE_CHARGE:ses-1', note: 'second' }, 'op-2'));
    expect(again).toMatchObject({
      errorType: 'VALIDATION',
      message: 'Anomaly DOUBLE_CHARGE:ses-1 was already reviewed by op-1.',
    });
    expect((await anomalies.get('DOUBLE_CHARGE:ses-1'))?.review?.note).toBe('first');
  });
});
