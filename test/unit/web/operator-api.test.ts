import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadAppSyncSchema } from '../../../infra/local/appsync/appsync-schema.js';
import { createEvApi, type GraphqlTransport, type Variables } from '../../../web/src/api/ev-api.js';
import { OPERATOR_ALERTS_QUERY, OPERATOR_SESSIONS_QUERY } from '../../../web/src/api/operator-operations.js';
import { toApiError } from '../../../web/src/lib/api-errors.js';
import {
  FAILED_STATES,
  isAnomaly,
  isOperatorRefusal,
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

  it('sends documents that validate against contracts/schema.graphql', () => {
    const sdl = readFileSync(resolve(import.meta.dirname, '../../../contracts/schema.graphql'), 'utf8');
    const { schema } = loadAppSyncSchema(sdl);
    for (const doc of [OPERATOR_SESSIONS_QUERY, OPERATOR_ALERTS_QUERY]) {
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
