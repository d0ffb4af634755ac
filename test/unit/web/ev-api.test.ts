import { describe, expect, it } from 'vitest';
import { createEvApi, type GraphqlTransport, type Variables } from '../../../web/src/api/ev-api.js';
import type { ChargingSession } from '../../../web/src/api/schemas.js';
import type { ApiError } from '../../../web/src/lib/api-errors.js';

const tariff = { milliYenPerKwh: 55_500, sessionFeeYen: 0, milliYenPerMinute: 0 };
const session = {
  id: 's-1',
  driverId: 'd-1',
  stationId: 'st-1',
  state: 'CHARGING',
  tariff,
  createdAt: '2025-01-01T00:00:00Z',
  startedAt: '2025-01-01T00:00:05Z',
  endedAt: null,
  powerW: 3_000,
  energyWh: 120,
  runningCostYen: 6,
  amountYen: null,
  exposureCapYen: 3_000,
  exposureCapWh: null,
  stopReason: null,
  failureCode: null,
  failureMessage: null,
  checkoutUrl: null,
  receipt: null,
  updatedAt: '2025-01-01T00:01:00Z',
};

/** Answers each request with the next scripted response and records what was sent. */
function scripted(responses: Array<{ data: unknown } | { error: unknown }>) {
  const sent: Array<{ query: string; variables: Variables }> = [];
  let push: ((data: unknown) => void) | undefined;
  let unsubscribed = 0;
  const transport: GraphqlTransport = {
    async request(query, variables) {
      sent.push({ query, variables });
      const next = responses.shift();
      if (!next) throw new Error('no scripted response');
      if ('error' in next) throw next.error;
      return next.data;
    },
    subscribe(query, variables, onData) {
      sent.push({ query, variables });
      push = onData;
      return () => {
        unsubscribed++;
      };
    },
  };
  return { transport, sent, push: (data: unknown) => push?.(data), unsubscribed: () => unsubscribed };
}

describe('createEvApi', () => {
  it('starts a charge with the idempotency key and returns the parsed session and checkout URL', async () => {
    const fake = scripted([{ data: { startCharge: { session, checkoutUrl: 'https://pay.example/c/1' } } }]);
    const result = await createEvApi(fake.transport).startCharge('st-1', 'key-1');
    expect(fake.sent[0]?.variables).toEqual({ stationId: 'st-1', idempotencyKey: 'key-1' });
    expect(fake.sent[0]?.query).toContain('startCharge(stationId: $stationId, idempotencyKey: $idempotencyKey)');
    expect(result.session.state).toBe('CHARGING');
    expect(result.checkoutUrl).toBe('https://pay.example/c/1');
  });

  it('turns a coded GraphQL error into an ApiError', async () => {
    const fake = scripted([{ error: { data: null, errors: [{ errorType: 'PAYMENT.REQUIRED', message: 'owed' }] } }]);
    await expect(createEvApi(fake.transport).startCharge('st-1', 'k')).rejects.toMatchObject({
      name: 'ApiError',
      code: 'PAYMENT.REQUIRED',
    });
  });

  it('rejects an answer that breaks the contract instead of showing undefined', async () => {
    const fake = scripted([{ data: { stations: [{ id: 'st-1' }] } }]);
    await expect(createEvApi(fake.transport).stations()).rejects.toMatchObject({ code: 'UNKNOWN' });
  });

  it('returns null for a session that does not exist', async () => {
    const fake = scripted([{ data: { session: null } }]);
    await expect(createEvApi(fake.transport).session('nope')).resolves.toBeNull();
  });

  it('pages my sessions with a null token on the first page', async () => {
    const fake = scripted([{ data: { mySessions: { items: [session], nextToken: 't2' } } }]);
    const page = await createEvApi(fake.transport).mySessions(20);
    expect(fake.sent[0]?.variables).toEqual({ limit: 20, nextToken: null });
    expect(page.items).toHaveLength(1);
    expect(page.nextToken).toBe('t2');
  });

  it('delivers parsed session updates and reports malformed ones', () => {
    const fake = scripted([]);
    const updates: ChargingSession[] = [];
    const errors: ApiError[] = [];
    const stop = createEvApi(fake.transport).onSessionUpdate(
      's-1',
      (s) => updates.push(s),
      (e) => errors.push(e),
    );
    fake.push({ onSessionUpdate: { ...session, energyWh: 250 } });
    fake.push({ onSessionUpdate: null });
    fake.push({ onSessionUpdate: { id: 's-1' } });
    stop();
    expect(fake.sent[0]?.variables).toEqual({ id: 's-1' });
    expect(updates.map((u) => u.energyWh)).toEqual([250]);
    expect(errors.map((e) => e.code)).toEqual(['UNKNOWN']);
    expect(fake.unsubscribed()).toBe(1);
  });
});
