/** Maps Cognito / Amplify auth error names to plain-language messages. */
import { z } from 'zod';
import type { MessageKey } from '../i18n/translate.js';

const MESSAGE_BY_NAME: Readonly<Record<string, MessageKey>> = {
  UsernameExistsException: 'auth.error.exists',
  AliasExistsException: 'auth.error.exists',
  InvalidPasswordException: 'auth.error.weakPassword',
  InvalidParameterException: 'auth.error.invalidInput',
  CodeMismatchException: 'auth.error.badCode',
  ExpiredCodeException: 'auth.error.expiredCode',
  NotAuthorizedException: 'auth.error.wrongPassword',
  UserNotFoundException: 'auth.error.noUser',
  UserNotConfirmedException: 'auth.error.notConfirmed',
  LimitExceededException: 'auth.error.tooMany',
  TooManyRequestsException: 'auth.error.tooMany',
  TooManyFailedAttemptsException: 'auth.error.tooMany',
  CodeDeliveryFailureException: 'auth.error.unknown',
  EmptySignInUsername: 'auth.error.missingField',
  EmptySignInPassword: 'auth.error.missingField',
  EmptySignUpUsername: 'auth.error.missingField',
  EmptySignUpPassword: 'auth.error.missingField',
  EmptyConfirmSignUpUsername: 'auth.error.missingField',
  EmptyConfirmSignUpCode: 'auth.error.missingField',
  NetworkError: 'auth.error.network',
};

const NamedError = z.object({ name: z.string(), message: z.string().optional() });

export interface AuthErrorView {
  key: MessageKey;
  /** The account exists but its email is unconfirmed: the confirm-code form is the way forward. */
  needsConfirmation: boolean;
}

export function describeAuthError(thrown: unknown): AuthErrorView {
  const parsed = NamedError.safeParse(thrown);
  if (!parsed.success) return { key: 'auth.error.unknown', needsConfirmation: false };
  const { name, message = '' } = parsed.data;
  // fetch() failures surface as TypeError("Failed to fetch") before Cognito ever answers.
  if (name === 'TypeError' && /fetch|network/i.test(message)) {
    return { key: 'auth.error.network', needsConfirmation: false };
  }
  const key = MESSAGE_BY_NAME[name] ?? 'auth.error.unknown';
  return { key, needsConfirmation: name === 'UserNotConfirmedException' };
}
