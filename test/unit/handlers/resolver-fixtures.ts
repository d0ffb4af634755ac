/** AppSync direct-Lambda-resolver events as the handlers receive them, and how to read a refusal. */
import type { AppSyncIdentity } from 'aws-lambda';
import { ResolverError, type ResolverEvent } from '../../../functions/src/handlers/graphql/resolver-kit.js';

export interface CallerOpts {
  email?: string;
  groups?: string[];
}

/** A user-pool identity the way AppSync passes it (groups from `cognito:groups`, null when none). */
export function driverIdentity(sub: string, opts: CallerOpts = {}): AppSyncIdentity {
  return {
    sub,
    issuer: 'https://cognito-idp.ap-northeast-1.amazonaws.com/ap-northeast-1_test',
    username: sub,
    claims: opts.email ? { sub, email: opts.email } : { sub },
    sourceIp: ['127.0.0.1'],
    defaultAuthStrategy: 'ALLOW',
    groups: opts.groups ?? null,
  };
}

/** An IAM identity (the backend's role): no `sub`, so never a driver. */
export const IAM_IDENTITY: AppSyncIdentity = {
  accountId: '123456789012',
  cognitoIdentityPoolId: '',
  cognitoIdentityId: '',
  sourceIp: ['10.0.0.1'],
  username: 'AROAEXAMPLE:backend',
  userArn: 'arn:aws:sts::123456789012:assumed-role/backend/fn',
  cognitoIdentityAuthType: '',
  cognitoIdentityAuthProvider: '',
};

export function resolverEvent(
  field: string,
  args: Record<string, unknown>,
  identity: AppSyncIdentity | null = null,
): ResolverEvent {
  const [parentTypeName = '', fieldName = ''] = field.split('.');
  return {
    arguments: args,
    identity,
    source: null,
    request: { headers: {}, domainName: null },
    info: { selectionSetList: [], selectionSetGraphQL: '', parentTypeName, fieldName, variables: {} },
    prev: null,
    stash: {},
  };
}

/** Runs a resolver that must refuse and returns the ResolverError it threw. */
export async function refusal(run: Promise<unknown>): Promise<ResolverError> {
  const e = await run.then(
    (value) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(value)}`);
    },
    (thrown: unknown) => thrown,
  );
  if (!(e instanceof ResolverError)) throw new Error(`expected a ResolverError, got ${String(e)}`);
  return e;
}
