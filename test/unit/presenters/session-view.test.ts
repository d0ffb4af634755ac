import { describe, expect, it } from 'vitest';
import { SESSION_STATES, type Session } from '../../../functions/src/domain/session.js';
import { toSessionView } from '../../../functions/src/presenters/session-view.js';
import { at, inState, TARIFF } from '../domain/session-fixtures.js';

const charging = (patch: Partial<Session> = {}): Session => ({ ...inState('CHARGING'), ...patch });

describe('toSessionView', () => {
  it('shows the live figures a meter report left: power, energy and cost as computed then', () => {
    const view = toSessionView(
      charging({ live: { seq: 3, at: at(10), registerWh: 1_600, powerW: 2_990, energyWh: 600, costYen: 33 } }),
    );
    expect(view).toMatchObject({ state: 'CHARGING', powerW: 2_990, energyWh: 600, runningCostYen: 33 });
  });

  it('derives energy (stop − start register) and cost (same pricing, one rounding) when the reading has none', () => {
    // 1,601 − 1,000 = 601 Wh × ¥55.5/kWh = ¥33.3555 → ¥33; a per-minute tariff counts started minutes.
    const perMinute = { ...TARIFF, milliYenPerMinute: 2_000 };
    const view = toSessionView(
      charging({ tariff: perMinute, live: { seq: 3, at: at(10), registerWh: 1_601, powerW: 3_000 } }),
    );
    // started at(1), reading at(10): 9 minutes × ¥2 = ¥18, + ¥33.3555 = ¥51.3555 → ¥51
    expect(view).toMatchObject({ powerW: 3_000, energyWh: 601, runningCostYen: 51 });
  });

  it('has no live figures before the first reading, nor before the breaker closed', () => {
    for (const s of [inState('CHARGING'), inState('ENERGIZING'), inState('AWAITING_PAYMENT_METHOD')]) {
      expect(toSessionView(s)).toMatchObject({ powerW: null, energyWh: null, runningCostYen: null });
    }
  });

  it('keeps showing the last live figures while stopping', () => {
    const stopping = { ...inState('STOPPING'), live: { seq: 9, at: at(20), registerWh: 1_900, powerW: 0 } };
    expect(toSessionView(stopping)).toMatchObject({ state: 'STOPPING', energyWh: 900, powerW: 0 });
  });

  it('shows the metered figures once metered: no power, the billed energy and amount', () => {
    const m = inState('METERED');
    expect(toSessionView(m)).toMatchObject({ powerW: null, energyWh: 2_000, runningCostYen: 111, amountYen: 111 });
  });

  it('gives a receipt exactly in the states where the amount is decided', () => {
    const withReceipt = SESSION_STATES.filter((state) => toSessionView(inState(state)).receipt !== null);
    expect(withReceipt.sort()).toEqual(
      ['PAYMENT_PENDING', 'PAYMENT_ACTION_REQUIRED', 'PAID', 'PAYMENT_FAILED', 'CARRIED_OVER'].sort(),
    );
  });

  it('writes the paid receipt: registers, energy, amounts, card and payment reference', () => {
    const paid = { ...inState('PAID'), paidAt: at(32) };
    expect(toSessionView(paid).receipt).toEqual({
      startRegisterWh: 1_000,
      stopRegisterWh: 3_000,
      energyWh: 2_000,
      sessionAmountYen: 111,
      carriedInYen: 0,
      chargedYen: 111,
      cardBrand: 'visa',
      cardLast4: '4242',
      paymentIntentId: 'pi_1',
      paidAt: at(32),
    });
  });

  it('says nothing was charged for a carried-over session, and counts a carried-in balance when charged', () => {
    const carried = toSessionView(inState('CARRIED_OVER')).receipt;
    expect(carried).toMatchObject({ energyWh: 100, sessionAmountYen: 6, chargedYen: 0, paymentIntentId: null });
    const withCarry = { ...inState('PAYMENT_PENDING'), carriedInYen: 45, chargeYen: 156 };
    expect(toSessionView(withCarry).receipt).toMatchObject({
      sessionAmountYen: 111,
      carriedInYen: 45,
      chargedYen: 156,
    });
    const noChargeRecorded: Session = { ...inState('PAYMENT_FAILED'), chargeYen: undefined, carriedInYen: 10 };
    expect(toSessionView(noChargeRecorded).receipt).toMatchObject({ chargedYen: 121 });
  });

  it('gives no receipt when a register is missing (nothing to prove the energy with)', () => {
    const odd: Session = { ...inState('PAID'), stopRegisterWh: undefined };
    expect(toSessionView(odd).receipt).toBeNull();
  });

  it('offers the Checkout URL only while a card is awaited', () => {
    expect(toSessionView(inState('AWAITING_PAYMENT_METHOD')).checkoutUrl).toBe('https://pay.test/cs_1');
    const cancelled = inState('CANCELLED');
    expect(cancelled.checkoutUrl).toBe('https://pay.test/cs_1');
    expect(toSessionView(cancelled).checkoutUrl).toBeNull();
  });

  it('maps absent optional fields to null (GraphQL nullables), the exposure cap to its two fields', () => {
    const view = toSessionView({ ...inState('ENERGIZING'), exposureCap: { maxYen: 500 } });
    expect(view).toEqual({
      id: 'ses_1',
      driverId: 'drv_1',
      stationId: 'st_1',
      state: 'ENERGIZING',
      tariff: TARIFF,
      createdAt: expect.any(String),
      startedAt: null,
      endedAt: null,
      powerW: null,
      energyWh: null,
      runningCostYen: null,
      amountYen: null,
      exposureCapYen: 500,
      exposureCapWh: null,
      stopReason: null,
      failureCode: null,
      failureMessage: null,
      checkoutUrl: null,
      receipt: null,
      updatedAt: expect.any(String),
    });
  });

  it('copies the tariff, so a change to the view cannot reach the session', () => {
    const s = inState('CHARGING');
    const view = toSessionView(s);
    view.tariff.milliYenPerKwh = 1;
    expect(s.tariff.milliYenPerKwh).toBe(55_500);
  });

  it('shows why a session failed', () => {
    expect(toSessionView(inState('PAYMENT_FAILED'))).toMatchObject({
      failureCode: 'insufficient_funds',
      failureMessage: 'Insufficient funds.',
    });
    expect(toSessionView(inState('FAILED_TO_START'))).toMatchObject({ receipt: null, amountYen: null });
  });
});
