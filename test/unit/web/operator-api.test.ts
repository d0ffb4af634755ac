import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadAppSyncSchema } from '../../../infra/local/appsync/appsync-schema.js';
import { createEvApi, type GraphqlTransport, type Variables } from '../../../web/src/api/ev-api.js';
import {
  OPERATOR_ALERTS_QUERY,
  OPERATOR_ANOMALIES_QUERY,
  OPERATOR_SESSIONS_QUERY,
  REVIEW_ANOMALY_MUTATION,
} from '../../../web/src/api/operator-operations.js';
import { toApiError } from '../../../web/src/lib/api-errors.js';
import {
  evidenceLine,
  FAILED_STATES,
  isAnomaly,
  isOperatorRefusal,
  reviewNoteProblem,
  shortId,
  splitAlerts,
} from '../../../web/src/operator/operator-data.js';

const session = {
  id: 'ses-1',
  driverId: 'drv-1',
  stationId: 'TKY-001',
  state: 'FAILED_TO_START',
  tariff: { milliYenPerKwh: 55_500, sessionFeeYen: 0, milliYenPerMinute: 0 },
  createdAt: '2026-03-01T09:00:00Z',
  startedAt: null,
  endedAt: null,
  powerW: null,
  energyWh: null,
  runningCostYen: null,
  amountYen: null,
  exposureCapYen: null,
  exposureCapWh: null,
  stopReason: null,
  failureCode: 'ackTimeout',
  failureMessage: null,
  checkoutUrl: null,
  receipt: null,
  updatedAt: '2026-03-01T09:01:00Z',
};
const alert = { code: 'SESSION_PAID_TWICE', detail: 'refund one', sessionId: 'ses-1', stationId: null, at: 'T' };
const anomaly = {
  id: 'DOUBLE_CHARGE:ses-1',
  kind: 'DOUBLE_CHARGE',
  subject: 'ses-1',
  sessionId: 'ses-1',
  stationId: null,
  paymentIntentId: null,
  detail: '2 succeeded PaymentIntents',
  evidence: '{"intents":"pi_1,pi_2","amountsYen":"200,200"}',
  foundAt: '2026-03-01T09:00:00Z',
  review: null,
};

function answering(data: unknown) {
  const sent: Array<{ query: string; variables: Variables }> = [];
  const transport: GraphqlTransport = {
    async request(query, variables) {
      sent.push({ query, variables });
      if (data instanceof Error) throw data;
      return data;
    },
    subscribe: () => () => undefined,
  };
  return { api: createEvApi(transport), sent };
}

describe('operator API calls', () => {
  it('asks for sessions in given states with a limit, and parses them', async () => {
    const { api, sent } = answering({ operatorSessions: [session] });
    const out = await api.operatorSessions(FAILED_STATES, 20);
    expect(sent[0]?.variables).toEqual({
      states: ['FAILED_TO_START', 'PAYMENT_FAILED', 'PAYMENT_ACTION_REQUIRED'],
      limit: 20,
    });
    expect(out).toMatchObject([{ id: 'ses-1', state: 'FAILED_TO_START', failureCode: 'ackTimeout' }]);
  });

  it('leaves states and limit to the server when not given', async () => {
    const { api, sent } = answering({ operatorSessions: [] });
    await api.operatorSessions();
    expect(sent[0]?.variables).toEqual({ states: null, limit: null });
  });

  it('parses alerts, and rejects an answer that breaks the contract', async () => {
    const ok = answering({ operatorAlerts: [alert] });
    await expect(ok.api.operatorAlerts(5)).resolves.toEqual([alert]);
    expect(ok.sent[0]?.variables).toEqual({ limit: 5 });
    const broken = answering({ operatorAlerts: [{ code: 'X' }] });
    await expect(broken.api.operatorAlerts()).rejects.toMatchObject({ code: 'UNKNOWN' });
  });

  it('asks for open anomalies with a limit (or leaves both to the server) and parses them', async () => {
    const ok = answering({ operatorAnomalies: [anomaly] });
    await expect(ok.api.operatorAnomalies(true, 50)).resolves.toEqual([anomaly]);
    expect(ok.sent[0]?.variables).toEqual({ open: true, limit: 50 });
    await ok.api.operatorAnomalies();
    expect(ok.sent[1]?.variables).toEqual({ open: null, limit: null });
    const broken = answering({ operatorAnomalies: [{ id: 'X' }] });
    await expect(broken.api.operatorAnomalies()).rejects.toMatchObject({ code: 'UNKNOWN' });
  });

  it('sends a review with its note and parses the reviewed anomaly', async () => {
    const review = { operatorId: 'op-1', note: 'refunded pi_2', at: '2026-03-01T10:00:00Z' };
    const { api, sent } = answering({ reviewAnomaly: { ...anomaly, review } });
    await expect(api.reviewAnomaly(anomaly.id, 'refunded pi_2')).resolves.toMatchObject({ review });
    expect(sent[0]).toMatchObject({
      query: REVIEW_ANOMALY_MUTATION,
      variables: { id: anomaly.id, note: 'refunded pi_2' },
    });
  });

  it("passes on the server's refusal of a review (not an operator, already reviewed)", async () => {
    const refused = answering(new Error('x'));
    await expect(refused.api.reviewAnomaly(anomaly.id, 'n')).rejects.toMatchObject({ code: 'UNKNOWN' });
    const forbidden = { data: null, errors: [{ errorType: 'FORBIDDEN', message: 'Only operators may see this.' }] };
    const { api } = answering(Object.assign(new Error('GraphQL error'), forbidden));
    const e: unknown = await api.reviewAnomaly(anomaly.id, 'n').catch((x: unknown) => x);
    expect(isOperatorRefusal(toApiError(e))).toBe(true);
  });

  it('sends documents that validate against contracts/schema.graphql', () => {
    const sdl = readFileSync(resolve(import.meta.dirname, '../../../contracts/schema.graphql'), 'utf8');
    const { schema } = loadAppSyncSchema(sdl);
    for (const doc of [
      OPERATOR_SESSIONS_QUERY,
      OPERATOR_ALERTS_QUERY,
      OPERATOR_ANOMALIES_QUERY,
      REVIEW_ANOMALY_MUTATION,
    ]) {
      expect(validate(schema, parse(doc)).map((e) => e.message)).toEqual([]);
    }
  });
});

describe('operator view data', () => {
  it('tells reconciliation anomalies from operational alerts', () => {
    expect(isAnomaly({ code: 'SESSION_PAID_TWICE' })).toBe(true);
    expect(isAnomaly({ code: 'RECONCILE_MISSING_INTENT' })).toBe(true);
    expect(isAnomaly({ code: 'STATION_FAULT_tripped' })).toBe(false);
    const fault = { ...alert, code: 'STATION_FAULT_tripped' };
    expect(splitAlerts([alert, fault])).toEqual({ anomalies: [alert], others: [fault] });
  });

  it('counts the alert a reconciliation run raises per anomaly as an anomaly', () => {
    expect(isAnomaly({ code: 'ANOMALY_DOUBLE_CHARGE' })).toBe(true);
  });

  it('requires a review note, trimmed, at most 1,000 characters', () => {
    expect(reviewNoteProblem('')).toBe('operator.reviewNoteRequired');
    expect(reviewNoteProblem('  \n ')).toBe('operator.reviewNoteRequired');
    expect(reviewNoteProblem('x'.repeat(1_001))).toBe('operator.reviewNoteTooLong');
    expect(reviewNoteProblem(` ${'x'.repeat(1_000)} `)).toBeNull();
    expect(reviewNoteProblem('refunded pi_2 by hand')).toBeNull();
  });

  it('shows evidence as key: value pairs, and anything unreadable as it came', () => {
    expect(evidenceLine(anomaly.evidence)).toBe('intents: pi_1,pi_2 · amountsYen: 200,200');
    expect(evidenceLine('{"sessionState":null}')).toBe('sessionState: —');
    expect(evidenceLine('not json')).toBe('not json');
    expect(evidenceLine('[1,2]')).toBe('[1,2]');
  });

  it("recognizes the API's 'not an operator' answers, and nothing else", () => {
    const forbidden = toApiError({ data: null, errors: [{ errorType: 'FORBIDDEN', message: 'Only operators' }] });
    const appsync = toApiError({ errors: [{ errorType: 'Unauthorized', message: 'Not Authorized to access' }] });
    const internal = toApiError({ errors: [{ errorType: 'INTERNAL', message: 'oops' }] });
    expect(isOperatorRefusal(forbidden)).toBe(true);
    expect(isOperatorRefusal(appsync)).toBe(true);
    expect(isOperatorRefusal(internal)).toBe(false);
    expect(isOperatorRefusal(toApiError(new TypeError('Failed to fetch')))).toBe(false);
  });

  it('shortens long ids for a phone screen and keeps short ones', () => {
    expect(shortId('drv-1')).toBe('drv-1');
    expect(shortId('8d1f3c2a-5b6e-4f70-9a1b-2c3d4e5f6a7b')).toBe('8d1f3c…5f6a7b');
  });
});
