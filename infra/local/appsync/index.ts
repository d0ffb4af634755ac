export type {
  AppSyncEvent,
  AppSyncIdentityCognito,
  AppSyncIdentityIAM,
  AppSyncResolver,
  CallerIdentity,
  CognitoAuthConfig,
  FieldResolver,
  IamAuthConfig,
  NoneDataSource,
  SubscriptionFilter,
} from './appsync-types.js';
export { AppSyncError } from './appsync-types.js';
export { type LocalAppSync, type LocalAppSyncOptions, startLocalAppSync } from './local-appsync.js';
