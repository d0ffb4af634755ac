import type Stripe from 'stripe';

/** The `error` member of a Stripe error response. */
export interface StripeErrorBody {
  type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: Stripe.PaymentIntent;
  setup_intent?: Stripe.SetupIntent;
  payment_method?: Stripe.PaymentMethod;
  request_log_url?: string;
}

/** Thrown by request handlers before anything changed: nothing is persisted or replayed. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
    this.name = 'ApiError';
  }
}

const docUrl = (code: string): string => `https://stripe.com/docs/error-codes/${code.replaceAll('_', '-')}`;

export function invalidRequest(message: string, param?: string, code?: string): ApiError {
  return new ApiError(400, {
    type: 'invalid_request_error',
    message,
    ...(param ? { param } : {}),
    ...(code ? { code, doc_url: docUrl(code) } : {}),
  });
}

export function notFound(resource: string, id: string, param = 'id'): ApiError {
  return new ApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    doc_url: docUrl('resource_missing'),
    message: `No such ${resource}: '${id}'`,
    param,
  });
}

export function unexpectedState(message: string, code = 'payment_intent_unexpected_state'): ApiError {
  return new ApiError(400, { type: 'invalid_request_error', code, doc_url: docUrl(code), message });
}

export function amountTooSmall(currency: string): ApiError {
  return new ApiError(400, {
    type: 'invalid_request_error',
    code: 'amount_too_small',
    doc_url: docUrl('amount_too_small'),
    param: 'amount',
    message: `Amount must be at least ${currency === 'jpy' ? '¥50' : '50'} ${currency}`,
  });
}

export function cardErrorBody(
  code: string,
  message: string,
  extra: Omit<StripeErrorBody, 'type' | 'code' | 'message'>,
): StripeErrorBody {
  return { type: 'card_error', code, message, doc_url: docUrl(code), ...extra };
}

export function errorResponse(body: StripeErrorBody): { error: StripeErrorBody } {
  return { error: body };
}
