import { describe, expect, it } from 'vitest';
import { SESSION_STATES } from '../../../web/src/api/schemas.js';
import {
  elapsedMs,
  isNewerOrSame,
  isOngoing,
  moneyProblem,
  sessionStateView,
  startFailure,
} from '../../../web/src/lib/session-view.js';

describe('sessionStateView', () => {
  it('labels every state with its own message', () => {
    const labels = SESSION_STATES.map((state) => sessionStateView(state).labelKey);
    expect(new Set(labels).size).toBe(SESSION_STATES.length);
  });

  it('offers Stop only while charging', () => {
    const stoppable = SESSION_STATES.filter((state) => sessionStateView(state).canStop);
    expect(stoppable).toEqual(['CHARGING']);
  });

  it('shows live figures from energizing until the meter is read', () => {
    const live = SESSION_STATES.filter((state) => sessionStateView(state).showsLiveFigures);
    expect(live).toEqual(['ENERGIZING', 'CHARGING', 'STOPPING']);
  });

  it('says "you were not charged" exactly when no money was taken', () => {
    const notCharged = SESSION_STATES.filter((state) => sessionStateView(state).notCharged);
    expect(notCharged).toEqual(['FAILED_TO_START', 'CANCELLED']);
  });

  it('asks for payment when the card was declined or needs authentication', () => {
    const owing = SESSION_STATES.filter((state) => sessionStateView(state).needsPayment);
    expect(owing).toEqual(['PAYMENT_ACTION_REQUIRED', 'PAYMENT_FAILED']);
  });

  it('uses honest in-between words while work is under way', () => {
    expect(sessionStateView('ENERGIZING')).toMatchObject({ tone: 'progress', hintKey: 'session.hint.energizing' });
    expect(sessionStateView('STOPPING')).toMatchObject({ tone: 'progress', hintKey: 'session.hint.stopping' });
    expect(sessionStateView('PAYMENT_PENDING')).toMatchObject({
      labelKey: 'session.state.PAYMENT_PENDING',
      hintKey: 'session.hint.paying',
    });
  });
});

describe('isOngoing', () => {
  it('follows sessions that can still change on their own', () => {
    expect(SESSION_STATES.filter(isOngoing)).toEqual([
      'AWAITING_PAYMENT_METHOD',
      'ENERGIZING',
      'CHARGING',
      'STOPPING',
      'METERED',
      'PAYMENT_PENDING',
    ]);
  });
});

describe('moneyProblem', () => {
  it('explains authentication and declines in plain words', () => {
    expect(moneyProblem({ state: 'PAYMENT_ACTION_REQUIRED', failureCode: null })).toBe('money.authRequired');
    expect(moneyProblem({ state: 'PAYMENT_FAILED', failureCode: 'card_declined' })).toBe('money.declined');
    expect(moneyProblem({ state: 'PAYMENT_FAILED', failureCode: 'INSUFFICIENT_FUNDS' })).toBe(
      'money.insufficientFunds',
    );
    expect(moneyProblem({ state: 'PAYMENT_FAILED', failureCode: 'authentication_required' })).toBe(
      'money.authRequired',
    );
  });
  it('still says something useful for an unknown failure code', () => {
    expect(moneyProblem({ state: 'PAYMENT_FAILED', failureCode: 'weird' })).toBe('money.unknownFailure');
    expect(moneyProblem({ state: 'PAYMENT_FAILED', failureCode: undefined })).toBe('money.unknownFailure');
  });
  it('is silent when nothing is owed', () => {
    expect(moneyProblem({ state: 'PAID', failureCode: 'card_declined' })).toBeUndefined();
  });
});

describe('elapsedMs', () => {
  const now = Date.parse('2025-01-01T00:10:00Z');
  it('counts from start to now while running and to the end once ended', () => {
    expect(elapsedMs({ startedAt: '2025-01-01T00:00:00Z', endedAt: null }, now)).toBe(600_000);
    expect(elapsedMs({ startedAt: '2025-01-01T00:00:00Z', endedAt: '2025-01-01T00:05:00Z' }, now)).toBe(300_000);
  });
  it('is zero before the breaker closed', () => {
    expect(elapsedMs({ startedAt: null, endedAt: null }, now)).toBe(0);
  });
});

describe('isNewerOrSame', () => {
  it('accepts the first copy, newer copies and repeats, but never an older one', () => {
    const at = (updatedAt: string) => ({ updatedAt });
    expect(isNewerOrSame(null, at('2025-01-01T00:00:00Z'))).toBe(true);
    expect(isNewerOrSame(at('2025-01-01T00:00:00Z'), at('2025-01-01T00:00:01Z'))).toBe(true);
    expect(isNewerOrSame(at('2025-01-01T00:00:01Z'), at('2025-01-01T00:00:01Z'))).toBe(true);
    expect(isNewerOrSame(at('2025-01-01T00:00:02Z'), at('2025-01-01T00:00:01Z'))).toBe(false);
  });
});

describe('startFailure', () => {
  it('explains why charging never started', () => {
    expect(startFailure({ state: 'FAILED_TO_START', failureCode: 'STATION_OFFLINE' })).toBe(
      'session.fail.stationOffline',
    );
    expect(startFailure({ state: 'FAILED_TO_START', failureCode: 'ACK_TIMEOUT' })).toBe('session.fail.noAnswer');
    expect(startFailure({ state: 'FAILED_TO_START', failureCode: 'BREAKER_REFUSED' })).toBe('session.fail.refused');
    expect(startFailure({ state: 'CANCELLED', failureCode: 'CHECKOUT_EXPIRED' })).toBe('session.fail.checkoutExpired');
  });
  it('adds nothing for unknown codes or sessions that did start', () => {
    expect(startFailure({ state: 'FAILED_TO_START', failureCode: 'SOMETHING' })).toBeUndefined();
    expect(startFailure({ state: 'PAID', failureCode: 'STATION_OFFLINE' })).toBeUndefined();
  });
});
