import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AppSyncResolver, LocalAppSync, SubscriptionFilter } from '../../infra/local/appsync/index.js';
import { startLocalAppSync } from '../../infra/local/appsync/index.js';
import {
  DEFAULT_POST_CONFIRMATION_FUNCTION,
  type LambdaInvokeShim,
  type LocalCognito,
  type LocalFunction,
  startLambdaInvokeShim,
  startLocalCognito,
} from '../../infra/local/cognito/index.js';
import type { AmplifyNodeTarget } from './amplify-node.js';

export const SCHEMA_PATH = resolve(import.meta.dirname, '../../contracts/schema.graphql');
export const LOCAL_IAM = {
  accessKeyId: 'AKIALOCALBACKEND',
  secretAccessKey: 'local-backend-secret',
  region: 'ap-northeast-1',
};

export interface ApiStackOptions {
  resolvers: Record<string, AppSyncResolver>;
  subscriptionFilters?: Record<string, SubscriptionFilter>;
  postConfirmation?: LocalFunction;
}

export interface ApiStack {
  shim: LambdaInvokeShim;
  cognito: LocalCognito;
  appsync: LocalAppSync;
  target: AmplifyNodeTarget;
  stop(): Promise<void>;
}

/** cognito-local (+ the Lambda-Invoke shim for its trigger) and the local AppSync server, in a temp dir. */
export async function startApiStack(opts: ApiStackOptions): Promise<ApiStack> {
  const dataDir = await mkdtemp(join(tmpdir(), 'ev-api-'));
  const stops: Array<() => Promise<void>> = [() => rm(dataDir, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
  };
  try {
    const shim = await startLambdaInvokeShim({
      functions: opts.postConfirmation ? { [DEFAULT_POST_CONFIRMATION_FUNCTION]: opts.postConfirmation } : {},
    });
    stops.push(() => shim.close());
    const cognito = await startLocalCognito({ dataDir, lambdaInvokeEndpoint: shim.endpoint });
    stops.push(() => cognito.stop());
    const appsync = await startLocalAppSync({
      schemaPath: SCHEMA_PATH,
      cognito: { issuer: cognito.issuer, clientId: cognito.clientId, jwksUrl: cognito.jwksUrl },
      iam: LOCAL_IAM,
      resolvers: opts.resolvers,
      ...(opts.subscriptionFilters ? { subscriptionFilters: opts.subscriptionFilters } : {}),
    });
    stops.push(() => appsync.close());
    const target: AmplifyNodeTarget = {
      cognitoEndpoint: cognito.endpoint,
      userPoolId: cognito.userPoolId,
      clientId: cognito.clientId,
      graphqlUrl: appsync.url,
      region: LOCAL_IAM.region,
    };
    return { shim, cognito, appsync, target, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
