/**
 * Runtime configuration, fetched from `/config.json` at start so one build serves the local stack
 * and AWS. Pure parts only; the browser wiring is in amplify-setup.ts.
 */
import type { ResourcesConfig } from 'aws-amplify';
import { z } from 'zod';

export const RuntimeConfigSchema = z.object({
  region: z.string().min(1),
  userPoolId: z.string().min(1),
  userPoolClientId: z.string().min(1),
  userPoolEndpoint: z.url().optional(),
  graphqlEndpoint: z.url(),
  authFlowType: z.enum(['USER_SRP_AUTH', 'USER_PASSWORD_AUTH']).optional(),
});
export type RuntimeConfig = z.infer<typeof RuntimeConfigSchema>;
export type AuthFlowType = NonNullable<RuntimeConfig['authFlowType']>;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The local stack: plain http on loopback (no TLS, so realtime must use ws://). */
export function isLocalEndpoint(endpoint: string): boolean {
  const url = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
  return url !== undefined && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

/** cognito-local speaks USER_PASSWORD_AUTH only; Cognito in AWS defaults to SRP. */
export function resolveAuthFlowType(config: RuntimeConfig): AuthFlowType {
  return config.authFlowType ?? (isLocalEndpoint(config.graphqlEndpoint) ? 'USER_PASSWORD_AUTH' : 'USER_SRP_AUTH');
}

/**
 * Amplify always opens `wss://<endpoint>/realtime`; against the local http server that must be ws://.
 * Only URLs for the configured endpoint's host are touched.
 */
export function rewriteRealtimeUrl(url: string, graphqlEndpoint: string): string {
  if (!isLocalEndpoint(graphqlEndpoint) || !url.startsWith('wss://')) return url;
  const target = new URL(url.replace(/^wss:/, 'http:'));
  const endpoint = new URL(graphqlEndpoint);
  if (target.host !== endpoint.host) return url;
  return url.replace(/^wss:/, 'ws:');
}

/** What `Amplify.configure` receives: user-pool auth for both Cognito and the GraphQL API. */
export function amplifyResources(config: RuntimeConfig): ResourcesConfig {
  return {
    Auth: {
      Cognito: {
        userPoolId: config.userPoolId,
        userPoolClientId: config.userPoolClientId,
        ...(config.userPoolEndpoint ? { userPoolEndpoint: config.userPoolEndpoint } : {}),
        loginWith: { email: true },
        signUpVerificationMethod: 'code',
      },
    },
    API: {
      GraphQL: {
        endpoint: config.graphqlEndpoint,
        region: config.region,
        defaultAuthMode: 'userPool',
      },
    },
  };
}

export function parseRuntimeConfig(json: unknown): RuntimeConfig {
  return RuntimeConfigSchema.parse(json);
}
