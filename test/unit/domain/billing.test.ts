import { describe, expect, it } from 'vitest';
import { chargeIdempotencyKey, decideBilling, MIN_CHARGE_YEN } from '../../../functions/src/domain/billing.js';
import type { Driver } from '../../../functions/src/domain/driver.js';
import { driverPatchFor, newDriver, touchesDriver } from '../../../functions/src/domain/driver-effects.js';
import { DomainError, domainError, isDomainError } from '../../../functions/src/domain/errors.js';
import { openSession } from '../../../functions/src/domain/session-factory.js';
import type { Station } from '../../../functions/src/domain/station.js';
import { stationStatus } from '../../../functions/src/domain/station.js';
import { inState, T0, TARIFF } from './session-fixtures.js';

describe('decideBilling (the ¥50 minimum)', () => {
  it('carries an amount below ¥50 into the balance', () => {
    expect(decideBilling(30, 0)).toEqual({ kind: 'carry', amountYen: 30, balanceAfterYen: 30 });
    expect(decideBilling(10, 39)).toEqual({ kind: 'carry', amountYen: 10, balanceAfterYen: 49 });
  });

  it('charges amount plus the whole balance once the total reaches ¥50, and zeroes the balance', () => {
    expect(MIN_CHARGE_YEN).toBe(50);
    expect(decideBilling(20, 30)).toEqual({
      kind: 'charge',
      amountYen: 20,
      carriedInYen: 30,
      chargeYen: 50,
      balanceAfterYen: 0,
    });
    expect(decideBilling(500, 0)).toMatchObject({ kind: 'charge', chargeYen: 500, carriedInYen: 0 });
  });

  it('refuses fractional or negative yen', () => {
    expect(() => decideBilling(1.5, 0)).toThrow(RangeError);
    expect(() => decideBilling(1, -1)).toThrow(RangeError);
  });

  it('derives one idempotency key per session and attempt', () => {
    expect(chargeIdempotencyKey('ses_1', 1)).toBe('charge:ses_1:1');
  });
});

describe('driverPatchFor (what a transition does to the driver)', () => {
  const driver: Driver = { ...newDriver('drv_1', T0), balanceYen: 30 };

  it('grows the balance by a carried amount and takes the carried-in part out when charging', () => {
    expect(driverPatchFor(inState('METERED'), inState('CARRIED_OVER'), driver)).toEqual({ balanceYen: 36 });
    const pending = { ...inState('PAYMENT_PENDING'), carriedInYen: 30 };
    expect(driverPatchFor(inState('METERED'), pending, driver)).toEqual({ balanceYen: 0 });
  });

  it('blocks on a failed or action-required payment and unblocks when that session is paid', () => {
    const blocked = driverPatchFor(inState('PAYMENT_PENDING'), inState('PAYMENT_FAILED'), driver);
    expect(blocked).toEqual({ blocked: true, blockedBySessionId: 'ses_1' });
    expect(driverPatchFor(inState('PAYMENT_PENDING'), inState('PAYMENT_ACTION_REQUIRED'), driver)).toEqual(blocked);
    const unblock = driverPatchFor(inState('PAYMENT_FAILED'), inState('PAID'), { ...driver, ...blocked });
    expect(unblock).toEqual({ blocked: false, blockedBySessionId: undefined });
    expect(driverPatchFor(inState('PAYMENT_PENDING'), inState('PAID'), driver)).toBeUndefined();
  });

  it('leaves the driver alone for self-transitions and other states', () => {
    expect(driverPatchFor(inState('PAID'), inState('PAID'), driver)).toBeUndefined();
    expect(driverPatchFor(inState('CHARGING'), inState('STOPPING'), driver)).toBeUndefined();
    expect(touchesDriver(inState('CHARGING'), inState('STOPPING'))).toBe(false);
    expect(touchesDriver(inState('METERED'), inState('CARRIED_OVER'))).toBe(true);
  });
});

describe('openSession', () => {
  it('starts with a card on file as ENERGIZING, with the close command id in the ledger', () => {
    const { session, entry } = openSession({
      id: 's',
      driverId: 'd',
      stationId: 'st',
      startKey: 'k',
      tariff: TARIFF,
      exposureCap: { maxYen: 1_000 },
      at: T0,
      start: { kind: 'cardOnFile', paymentMethodId: 'pm', startCmdId: 'cmd_1' },
    });
    expect(session).toMatchObject({
      state: 'ENERGIZING',
      version: 1,
      startCmdId: 'cmd_1',
      exposureCap: { maxYen: 1_000 },
    });
    expect(session.cardBrand).toBeUndefined();
    expect(entry).toEqual({
      sessionId: 's',
      seq: 1,
      at: T0,
      from: null,
      to: 'ENERGIZING',
      cause: 'StartRequestedWithCard',
      evidence: { cmdId: 'cmd_1', stationId: 'st' },
    });
  });
});

describe('stationStatus and errors', () => {
  const station: Station = {
    id: 'st',
    name: 'n',
    site: 's',
    model: 'breaker',
    ratedW: 3_000,
    voltageV: 200,
    tariff: TARIFF,
    online: true,
    breaker: 'open',
    updatedAt: T0,
  };
  it('shows offline before fault before in use', () => {
    expect(stationStatus(station)).toBe('AVAILABLE');
    expect(stationStatus({ ...station, activeSessionId: 'x' })).toBe('CHARGING');
    expect(stationStatus({ ...station, activeSessionId: 'x', fault: 'tripped' })).toBe('FAULT');
    expect(stationStatus({ ...station, online: false, fault: 'tripped' })).toBe('OFFLINE');
  });

  it('carries a stable code', () => {
    const e = domainError('STATION.BUSY', 'busy', { stationId: 'st' });
    expect(e).toBeInstanceOf(DomainError);
    expect(isDomainError(e) && e.code).toBe('STATION.BUSY');
    expect(isDomainError(new Error('x'))).toBe(false);
    expect(new DomainError('VALIDATION', 'v').details).toEqual({});
  });
});
