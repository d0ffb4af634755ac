import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../../functions/src/domain/ledger.js';
import { priceYen } from '../../../functions/src/domain/pricing.js';
import {
  type Anomaly,
  detectAnomalies,
  type IntentRecord,
  type ReconciliationInput,
} from '../../../functions/src/domain/reconciliation.js';
import type { Session } from '../../../functions/src/domain/session.js';
import type { Station } from '../../../functions/src/domain/station.js';
import type { Tariff } from '../../../functions/src/domain/tariff.js';

const TARIFF: Tariff = { milliYenPerKwh: 50_000, sessionFeeYen: 100, milliYenPerMinute: 1_000 };
const NOW = '2026-03-01T12:00:00.000Z';
const ago = (minutes: number) => new Date(Date.parse(NOW) - minutes * 60_000).toISOString();
const TIMEOUTS = { meteredNotChargedMs: 10 * 60_000, offlineCapMs: 60 * 60_000 };

/** A PAID session with consistent figures: 2,000 Wh over 30 minutes. */
function paid(id: string, over: Partial<Session> = {}): Session {
  const startedAt = ago(120);
  const endedAt = ago(90);
  const amountYen = priceYen(TARIFF, 2_000, 30 * 60_000);
  return {
    id,
    driverId: 'drv_1',
    stationId: `st_${id}`,
    startKey: `k-${id}`,
    state: 'PAID',
    version: 8,
    tariff: TARIFF,
    createdAt: ago(121),
    updatedAt: ago(89),
    startedAt,
    endedAt,
    startRegisterWh: 10_000,
    stopRegisterWh: 12_000,
    energyWh: 2_000,
    amountYen,
    carriedInYen: 0,
    chargeYen: amountYen,
    paymentIntentId: `pi_${id}`,
    ...over,
  };
}

function intent(session: Session, over: Partial<IntentRecord> = {}): IntentRecord {
  return {
    id: session.paymentIntentId ?? 'pi_x',
    status: 'succeeded',
    amountYen: session.chargeYen ?? 0,
    sessionId: session.id,
    created: ago(89),
    ...over,
  };
}

function station(id: string, over: Partial<Station> = {}): Station {
  return {
    id,
    name: id,
    site: 'test',
    model: 'breaker',
    ratedW: 3_000,
    voltageV: 200,
    tariff: TARIFF,
    online: true,
    breaker: 'open',
    lastSeenAt: ago(1),
    updatedAt: ago(1),
    ...over,
  };
}

function run(over: Partial<ReconciliationInput>): Anomaly[] {
  return detectAnomalies({ sessions: [], paymentIntents: [], stations: [], now: NOW, timeouts: TIMEOUTS, ...over });
}

const ids = (found: Anomaly[]) => found.map((a) => a.id);

describe('detectAnomalies', () => {
  it('finds nothing in a consistent world (paid, carried over, failed to start, charging, free stations)', () => {
    const a = paid('ses_a');
    const b = paid('ses_b', {
      startedAt: ago(80),
      endedAt: ago(79),
      startRegisterWh: 12_000,
      stopRegisterWh: 12_000,
      energyWh: 0,
    });
    const bAmount = priceYen(TARIFF, 0, 60_000);
    const carried: Session = { ...b, amountYen: bAmount, chargeYen: bAmount, paymentIntentId: 'pi_ses_b' };
    const over: Session = {
      ...paid('ses_c', { stationId: 'st_2' }),
      state: 'CARRIED_OVER',
      chargeYen: 0,
      paymentIntentId: undefined,
    };
    const charging: Session = {
      ...paid('ses_d', { stationId: 'st_3' }),
      state: 'CHARGING',
      stopRegisterWh: undefined,
      endedAt: undefined,
      energyWh: undefined,
      amountYen: undefined,
      chargeYen: undefined,
      paymentIntentId: undefined,
    };
    const failed: Session = {
      ...paid('ses_e'),
      state: 'FAILED_TO_START',
      startedAt: undefined,
      endedAt: undefined,
      startRegisterWh: undefined,
      stopRegisterWh: undefined,
      energyWh: undefined,
      amountYen: undefined,
      chargeYen: undefined,
      paymentIntentId: undefined,
    };
    const found = run({
      sessions: [a, carried, over, charging, failed],
      paymentIntents: [
        intent(a),
        intent(carried),
        { id: 'pi_declined', status: 'requires_payment_method', amountYen: 500, sessionId: 'ses_c', created: ago(5) },
      ],
      stations: [
        station('st_1'),
        station('st_2', { observations: [{ code: 'tripped', at: ago(3) }] }),
        station('st_3', { breaker: 'closed', activeSessionId: 'ses_d' }),
      ],
      ledgers: new Map([['ses_a', [entry('ses_a', 'PAYMENT_PENDING', 'PAID', 'pi_ses_a')]]]),
    });
    expect(found).toEqual([]);
  });

  it('CHARGED_NOT_RECORDED: a succeeded intent whose session is missing, unpaid, or paid with another intent', () => {
    const other = paid('ses_o', { paymentIntentId: 'pi_other' });
    const stuck: Session = { ...paid('ses_p'), state: 'PAYMENT_FAILED', updatedAt: ago(30) };
    const found = run({
      sessions: [other, stuck],
      paymentIntents: [
        { id: 'pi_ghost', status: 'succeeded', amountYen: 300, sessionId: 'ses_missing', created: ago(5) },
        { id: 'pi_anon', status: 'succeeded', amountYen: 300, created: ago(5) },
        intent(other),
        intent(other, { id: 'pi_first' }),
        intent(stuck),
      ],
    });
    expect(ids(found.filter((f) => f.kind === 'CHARGED_NOT_RECORDED'))).toEqual([
      'CHARGED_NOT_RECORDED:pi_anon',
      'CHARGED_NOT_RECORDED:pi_first',
      'CHARGED_NOT_RECORDED:pi_ghost',
      'CHARGED_NOT_RECORDED:pi_ses_p',
    ]);
    const ghost = found.find((f) => f.id === 'CHARGED_NOT_RECORDED:pi_ghost');
    expect(ghost).toMatchObject({ paymentIntentId: 'pi_ghost', sessionId: 'ses_missing' });
    expect(ghost?.detail).toContain('not recorded');
  });

  it('gives a payment still settling its own intent time before calling it unrecorded', () => {
    const pending: Session = { ...paid('ses_q'), state: 'PAYMENT_PENDING', updatedAt: ago(1) };
    expect(run({ sessions: [pending], paymentIntents: [intent(pending)] })).toEqual([]);
  });

  it('PAID_WITHOUT_SUCCEEDED_PI: no intent, an intent the processor lacks, or one not succeeded', () => {
    const none = paid('ses_n', { paymentIntentId: undefined });
    const absent = paid('ses_m');
    const failed = paid('ses_f');
    const found = run({
      sessions: [none, absent, failed],
      paymentIntents: [intent(failed, { status: 'requires_payment_method' })],
    });
    expect(ids(found)).toEqual([
      'PAID_WITHOUT_SUCCEEDED_PI:ses_f',
      'PAID_WITHOUT_SUCCEEDED_PI:ses_m',
      'PAID_WITHOUT_SUCCEEDED_PI:ses_n',
    ]);
    expect(found[0]?.evidence.intentStatus).toBe('requires_payment_method');
  });

  it('DOUBLE_CHARGE: two succeeded intents for one session, or two transitions into PAID in its ledger', () => {
    const s = paid('ses_d2');
    const t = paid('ses_d3');
    const found = run({
      sessions: [s, t],
      paymentIntents: [intent(s), intent(s, { id: 'pi_again' }), intent(t)],
      ledgers: new Map([
        [
          't',
          [
            entry('ses_d3', 'PAYMENT_PENDING', 'PAID', 'pi_1'),
            entry('ses_d3', 'PAID', 'PAID', 'pi_1'),
            entry('ses_d3', 'PAYMENT_FAILED', 'PAID', 'pi_2'),
          ],
        ],
      ]),
    });
    const doubles = found.filter((f) => f.kind === 'DOUBLE_CHARGE');
    expect(ids(doubles)).toEqual(['DOUBLE_CHARGE:ses_d2', 'DOUBLE_CHARGE:t']);
    expect(doubles[0]?.evidence.intents).toBe('pi_ses_d2,pi_again');
    expect(doubles[1]?.evidence.intents).toBe('pi_1,pi_2');
  });

  it('METERED_NOT_CHARGED: METERED or PAYMENT_PENDING past the timeout, not before', () => {
    const metered: Session = { ...paid('ses_1'), state: 'METERED', paymentIntentId: undefined, updatedAt: ago(11) };
    const pending: Session = {
      ...paid('ses_2'),
      state: 'PAYMENT_PENDING',
      paymentIntentId: undefined,
      updatedAt: ago(60),
    };
    const fresh: Session = { ...paid('ses_3'), state: 'METERED', paymentIntentId: undefined, updatedAt: ago(2) };
    expect(ids(run({ sessions: [metered, pending, fresh] }))).toEqual([
      'METERED_NOT_CHARGED:ses_1',
      'METERED_NOT_CHARGED:ses_2',
    ]);
  });

  it('BREAKER_CLOSED_WITHOUT_SESSION: closed with nothing bound, or bound to a session not drawing power', () => {
    const ended = paid('ses_old', { stationId: 'st_1' });
    const older = paid('ses_older', {
      stationId: 'st_1',
      createdAt: ago(500),
      startedAt: ago(499),
      endedAt: ago(469),
      startRegisterWh: 8_000,
      stopRegisterWh: 10_000,
    });
    const waiting: Session = { ...paid('ses_w', { stationId: 'st_2' }), state: 'AWAITING_PAYMENT_METHOD' };
    const found = run({
      sessions: [older, ended, waiting],
      paymentIntents: [intent(ended), intent(older), intent(waiting)].filter((p) => p.sessionId !== 'ses_w'),
      stations: [
        station('st_1', { breaker: 'closed' }),
        station('st_2', { breaker: 'closed', activeSessionId: 'ses_w' }),
        station('st_3', { breaker: 'closed', activeSessionId: 'ses_gone' }),
        station('st_4', { breaker: 'closed' }),
      ],
    });
    expect(ids(found.filter((f) => f.kind === 'BREAKER_CLOSED_WITHOUT_SESSION'))).toEqual([
      'BREAKER_CLOSED_WITHOUT_SESSION:st_1/ses_old',
      'BREAKER_CLOSED_WITHOUT_SESSION:st_2/ses_w',
      'BREAKER_CLOSED_WITHOUT_SESSION:st_3/ses_gone',
      'BREAKER_CLOSED_WITHOUT_SESSION:st_4/none',
    ]);
    expect(found.find((f) => f.stationId === 'st_3')?.detail).toContain('missing');
  });

  it('CHARGING_OFFLINE_PAST_CAP: charging while the station has been offline longer than the cap', () => {
    const charging = (id: string, stationId: string): Session => ({
      ...paid(id, { stationId }),
      state: 'CHARGING',
      stopRegisterWh: undefined,
      endedAt: undefined,
      energyWh: undefined,
      amountYen: undefined,
      chargeYen: undefined,
      paymentIntentId: undefined,
    });
    const found = run({
      sessions: [charging('ses_1', 'st_1'), charging('ses_2', 'st_2'), charging('ses_3', 'st_3')],
      stations: [
        station('st_1', { online: false, lastSeenAt: ago(61), breaker: 'closed', activeSessionId: 'ses_1' }),
        station('st_2', { online: false, lastSeenAt: ago(5), breaker: 'closed', activeSessionId: 'ses_2' }),
        station('st_3', { online: false, lastSeenAt: undefined, activeSessionId: 'ses_3' }),
      ],
    });
    expect(ids(found)).toEqual(['CHARGING_OFFLINE_PAST_CAP:ses_1', 'CHARGING_OFFLINE_PAST_CAP:ses_3']);
    expect(found[1]?.detail).toContain('never seen');
  });

  it('METER_REGISTER_BACKWARDS: stop below start, a later session starting below the last stop, or a reported step back', () => {
    const back = paid('ses_b', { stopRegisterWh: 9_000, energyWh: 0, amountYen: priceYen(TARIFF, 0, 30 * 60_000) });
    const fixed = { ...back, chargeYen: back.amountYen };
    const first = paid('ses_1', { stationId: 'st_2', startedAt: ago(200), endedAt: ago(170) });
    const second = paid('ses_2', { stationId: 'st_2', startRegisterWh: 11_500, stopRegisterWh: 13_500 });
    const open: Session = {
      ...paid('ses_3', { stationId: 'st_2', startedAt: ago(60), startRegisterWh: 13_500, stopRegisterWh: 15_500 }),
    };
    const found = run({
      sessions: [fixed, second, first, open],
      paymentIntents: [intent(fixed), intent(first), intent(second), intent(open)],
      stations: [
        station('st_3', {
          observations: [
            { code: 'meterBackwards', at: ago(10), sessionId: 'ses_9', detail: 'stepped back 100 Wh' },
            { code: 'registerBackwards', at: ago(9), registerWh: 500, previousWh: 600 },
          ],
        }),
      ],
    });
    expect(ids(found.filter((f) => f.kind === 'METER_REGISTER_BACKWARDS'))).toEqual([
      `METER_REGISTER_BACKWARDS:session/ses_2`,
      `METER_REGISTER_BACKWARDS:session/ses_b`,
      `METER_REGISTER_BACKWARDS:st_3@${ago(10)}`,
      `METER_REGISTER_BACKWARDS:st_3@${ago(9)}`,
    ]);
    expect(found.find((f) => f.id.endsWith(ago(10)))?.detail).toContain('stepped back 100 Wh');
  });

  it('METER_SERIAL_CHANGED: a meterReset fault (reset or swapped meter)', () => {
    const found = run({
      stations: [
        station('st_1', { observations: [{ code: 'meterReset', at: ago(4), detail: 'serial swap M-1 -> M-2' }] }),
      ],
    });
    expect(found).toMatchObject([{ id: `METER_SERIAL_CHANGED:st_1@${ago(4)}`, stationId: 'st_1' }]);
  });

  it('AMOUNT_MISMATCH: amount not the tariff price, charge not amount + carried, intent amount not the charge', () => {
    const wrongTariff = paid('ses_1', { amountYen: 1, chargeYen: 1 });
    const wrongSum = paid('ses_2', { carriedInYen: 30 });
    const wrongIntent = paid('ses_3');
    const found = run({
      sessions: [wrongTariff, wrongSum, wrongIntent],
      paymentIntents: [intent(wrongTariff), intent(wrongSum), intent(wrongIntent, { amountYen: 99_999 })],
    });
    expect(ids(found)).toEqual(['AMOUNT_MISMATCH:ses_1', 'AMOUNT_MISMATCH:ses_2', 'AMOUNT_MISMATCH:ses_3']);
    expect(found[0]?.detail).toContain('tariff gives');
    expect(found[1]?.detail).toContain('carried ¥30');
    expect(found[2]?.detail).toContain('¥99999');
  });

  it('is deterministic: the same input gives the same ids in the same order', () => {
    const s = paid('ses_1', { stationId: 'st_1', paymentIntentId: undefined });
    const input = { sessions: [s], stations: [station('st_1', { breaker: 'closed' as const })] };
    expect(run(input)).toEqual(run(input));
    expect(ids(run(input))).toEqual(['BREAKER_CLOSED_WITHOUT_SESSION:st_1/ses_1', 'PAID_WITHOUT_SUCCEEDED_PI:ses_1']);
  });
});

function entry(sessionId: string, from: Session['state'], to: Session['state'], pi: string): LedgerEntry {
  return { sessionId, seq: 1, at: ago(1), from, to, cause: 'PaymentSucceeded', evidence: { stripeObjectId: pi } };
}
