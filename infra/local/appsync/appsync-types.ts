import type { AppSyncIdentityCognito, AppSyncIdentityIAM, AppSyncResolverEvent } from 'aws-lambda';

export type { AppSyncIdentityCognito, AppSyncIdentityIAM };

/** Who is calling, as AppSync resolves it from the Authorization header. */
export type Principal =
  | { mode: 'userPool'; identity: AppSyncIdentityCognito }
  | { mode: 'iam'; identity: AppSyncIdentityIAM };

export type CallerIdentity = Principal['identity'];

/** What a direct Lambda resolver receives from AppSync (serialized, so resolvers get a JSON copy). */
export type AppSyncEvent = AppSyncResolverEvent<Record<string, unknown>, Record<string, unknown> | null>;

export type AppSyncResolver = (event: AppSyncEvent) => Promise<unknown>;

/**
 * A field on AppSync's NONE data source: no Lambda, so no event to build and no serialization
 * boundary; its result is picked from the (already coerced) arguments, as the publish mutations do.
 */
export interface NoneDataSource {
  none: (args: Record<string, unknown>) => unknown;
}

export type FieldResolver = AppSyncResolver | NoneDataSource;

/** Decides per subscriber whether a published payload reaches it (AppSync enhanced filtering). */
export type SubscriptionFilter = (payload: unknown, identity: CallerIdentity) => boolean;

export interface CognitoAuthConfig {
  issuer: string;
  clientId: string;
  jwksUrl: string;
}

export interface IamAuthConfig {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  sessionToken?: string;
  /** Reported in the IAM identity; defaults to a placeholder local account. */
  accountId?: string;
}

/**
 * An error a resolver may throw to control what the client sees: `errorType` and `message` go to
 * `errors[]` as AppSync does. Any Error with a string `errorType` property works the same.
 */
export class AppSyncError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly errorInfo?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppSyncError';
  }
}

/** One entry of AppSync's `errors` array. */
export interface AppSyncErrorEntry {
  message: string;
  errorType?: string;
  errorInfo?: Record<string, unknown> | null;
  data?: null;
  path?: ReadonlyArray<string | number> | null;
  locations?: Array<{ line: number; column: number; sourceName: null }> | null;
}
