import { describe, expect, it } from 'vitest';
import { ApiError, toApiError } from '../../../web/src/lib/api-errors.js';
import { describeAuthError } from '../../../web/src/lib/auth-errors.js';

describe('toApiError', () => {
  it('reads the stable code from an AppSync error response', () => {
    const error = toApiError({ data: null, errors: [{ errorType: 'STATION.BUSY', message: 'busy' }] });
    expect(error.code).toBe('STATION.BUSY');
    expect(error.messageKey).toBe('api.error.stationBusy');
    expect(error.isDefinite).toBe(true);
  });

  it('accepts the code in extensions as well', () => {
    const error = toApiError({ errors: [{ message: 'x', extensions: { code: 'PAYMENT.REQUIRED' } }] });
    expect(error.code).toBe('PAYMENT.REQUIRED');
  });

  it("maps AppSync's UnauthorizedException to UNAUTHORIZED", () => {
    expect(toApiError({ errors: [{ errorType: 'UnauthorizedException', message: 'no' }] }).code).toBe('UNAUTHORIZED');
  });

  it('treats a failed fetch as a network error that may be retried with the same key', () => {
    const wrapped = toApiError({ data: {}, errors: [{ message: 'Failed to fetch' }] });
    expect(wrapped.code).toBe('NETWORK');
    expect(wrapped.isDefinite).toBe(false);
    expect(toApiError(new TypeError('fetch failed')).code).toBe('NETWORK');
  });

  it("treats Amplify's missing-token refusal as signed out", () => {
    const refusal = Object.assign(new Error('No federated jwt'), { name: 'NoValidAuthTokens' });
    expect(toApiError(refusal).code).toBe('UNAUTHORIZED');
  });

  it('keeps an unknown error unknown and not definite', () => {
    const error = toApiError('boom');
    expect(error.code).toBe('UNKNOWN');
    expect(error.isDefinite).toBe(false);
    expect(toApiError({ errors: [{ errorType: 'Weird', message: 'w' }] }).code).toBe('UNKNOWN');
  });

  it('passes an ApiError through unchanged', () => {
    const original = new ApiError('INTERNAL', 'x');
    expect(toApiError(original)).toBe(original);
  });
});

describe('describeAuthError', () => {
  const named = (name: string, message = '') => Object.assign(new Error(message), { name });

  it.each([
    ['UsernameExistsException', 'auth.error.exists'],
    ['InvalidPasswordException', 'auth.error.weakPassword'],
    ['CodeMismatchException', 'auth.error.badCode'],
    ['ExpiredCodeException', 'auth.error.expiredCode'],
    ['NotAuthorizedException', 'auth.error.wrongPassword'],
    ['UserNotFoundException', 'auth.error.noUser'],
    ['LimitExceededException', 'auth.error.tooMany'],
    ['EmptySignInPassword', 'auth.error.missingField'],
    ['SomethingNew', 'auth.error.unknown'],
  ])('%s → %s', (name, key) => {
    expect(describeAuthError(named(name)).key).toBe(key);
  });

  it('sends an unconfirmed user to the confirmation form', () => {
    expect(describeAuthError(named('UserNotConfirmedException'))).toEqual({
      key: 'auth.error.notConfirmed',
      needsConfirmation: true,
    });
  });

  it('recognises a failed fetch as a network problem', () => {
    expect(describeAuthError(new TypeError('Failed to fetch')).key).toBe('auth.error.network');
  });

  it('copes with values that are not errors', () => {
    expect(describeAuthError(undefined).key).toBe('auth.error.unknown');
  });
});
