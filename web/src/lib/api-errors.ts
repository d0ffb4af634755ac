/**
 * Turns whatever the GraphQL client throws into one of the schema's stable codes and a message key.
 * Amplify rejects with the response itself (`{ data, errors: [{ errorType, message }] }`); a failed
 * fetch arrives as an error without `errorType`, which is the only case worth retrying as-is.
 */
import { z } from 'zod';
import type { MessageKey } from '../i18n/translate.js';

export const API_ERROR_CODES = [
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
  'UNAUTHORIZED',
  'INTERNAL',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number] | 'NETWORK' | 'UNKNOWN';

const MESSAGE_BY_CODE: Record<ApiErrorCode, MessageKey> = {
  'STATION.NOT_FOUND': 'api.error.stationNotFound',
  'STATION.BUSY': 'api.error.stationBusy',
  'STATION.OFFLINE': 'api.error.stationOffline',
  'SESSION.NOT_FOUND': 'api.error.sessionNotFound',
  'SESSION.NOT_YOURS': 'api.error.sessionNotYours',
  'SESSION.ILLEGAL_TRANSITION': 'api.error.illegalTransition',
  'SESSION.WRONG_STATION': 'api.error.validation',
  'PAYMENT.REQUIRED': 'api.error.paymentRequired',
  'PAYMENT.NO_CARD': 'api.error.noCard',
  'PAYMENT.NOT_REQUIRED': 'api.error.paymentNotRequired',
  'DRIVER.NOT_FOUND': 'api.error.driverNotFound',
  VALIDATION: 'api.error.validation',
  UNAUTHORIZED: 'api.error.unauthorized',
  INTERNAL: 'api.error.internal',
  NETWORK: 'api.error.network',
  UNKNOWN: 'api.error.unknown',
};

/** An API failure the screens can show; `cause` keeps the original for debugging. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
  }
  get messageKey(): MessageKey {
    return MESSAGE_BY_CODE[this.code];
  }
  /** The server answered with a decision; repeating the same request would get the same answer. */
  get isDefinite(): boolean {
    return this.code !== 'NETWORK' && this.code !== 'INTERNAL' && this.code !== 'UNKNOWN';
  }
}

const GraphQLErrorsSchema = z.object({
  errors: z
    .array(
      z.object({
        errorType: z.string().nullish(),
        message: z.string().nullish(),
        extensions: z.object({ code: z.string().nullish() }).nullish(),
      }),
    )
    .min(1),
});

const SIGNED_OUT_ERRORS = new Set(['NoValidAuthTokens', 'UserUnAuthenticatedException', 'NotAuthorizedException']);

function knownCode(value: string | null | undefined): ApiErrorCode | undefined {
  if (!value) return undefined;
  if (value.startsWith('Unauthorized')) return 'UNAUTHORIZED';
  return API_ERROR_CODES.find((code) => code === value);
}

/** Classifies a thrown value; never throws. */
export function toApiError(thrown: unknown): ApiError {
  if (thrown instanceof ApiError) return thrown;
  const parsed = GraphQLErrorsSchema.safeParse(thrown);
  if (parsed.success) {
    for (const error of parsed.data.errors) {
      const code = knownCode(error.errorType) ?? knownCode(error.extensions?.code);
      if (code) return new ApiError(code, error.message ?? code, { cause: thrown });
    }
    const first = parsed.data.errors[0];
    const message = first?.message ?? 'GraphQL error';
    // A transport failure is wrapped by Amplify as a GraphQL error without a type.
    const network = !first?.errorType && /fetch|network|failed to|load failed/i.test(message);
    return new ApiError(network ? 'NETWORK' : 'UNKNOWN', message, { cause: thrown });
  }
  // Amplify refuses to send a user-pool request without valid tokens (never signed in, or refresh failed).
  if (thrown instanceof Error && SIGNED_OUT_ERRORS.has(thrown.name)) {
    return new ApiError('UNAUTHORIZED', thrown.message, { cause: thrown });
  }
  if (thrown instanceof TypeError || (thrown instanceof Error && thrown.name === 'NetworkError')) {
    return new ApiError('NETWORK', thrown.message, { cause: thrown });
  }
  const message = thrown instanceof Error ? thrown.message : 'Unexpected error';
  return new ApiError('UNKNOWN', message, { cause: thrown });
}
