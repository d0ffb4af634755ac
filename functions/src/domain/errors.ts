/**
 * Expected failures carry a stable `code` that every edge (GraphQL errorType, HTTP body, logs)
 * maps from one table — never from the message, which is for people.
 */
export const ERROR_CODES = [
  'STATION.NOT_FOUND',
  'STATION.BUSY',
  'STATION.OFFLINE',
  'SESSION.NOT_FOUND',
  'SESSION.NOT_YOURS',
  'SESSION.ILLEGAL_TRANSITION',
  'SESSION.WRONG_STATION',
  'PAYMENT.REQUIRED',
  'PAYMENT.NO_CARD',
  'PAYMENT.NOT_REQUIRED',
  'DRIVER.NOT_FOUND',
  'VALIDATION',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export type ErrorDetails = Record<string, string | number | boolean | undefined>;

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

export const domainError = (code: ErrorCode, message: string, details?: ErrorDetails): DomainError =>
  new DomainError(code, message, details);

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
