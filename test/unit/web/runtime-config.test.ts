import { describe, expect, it } from 'vitest';
import {
  isLocalEndpoint,
  parseRuntimeConfig,
  resolveAuthFlowType,
  rewriteRealtimeUrl,
} from '../../../web/src/config/runtime-config.js';

const local = {
  region: 'ap-northeast-1',
  userPoolId: 'local_abc',
  userPoolClientId: 'client',
  userPoolEndpoint: 'http://127.0.0.1:9229',
  graphqlEndpoint: 'http://127.0.0.1:4100/graphql',
};
const cloud = {
  region: 'ap-northeast-1',
  userPoolId: 'ap-northeast-1_X',
  userPoolClientId: 'client',
  graphqlEndpoint: 'https://abc.appsync-api.ap-northeast-1.amazonaws.com/graphql',
};

describe('parseRuntimeConfig', () => {
  it('accepts the local and the cloud shapes', () => {
    expect(parseRuntimeConfig(local).userPoolEndpoint).toBe('http://127.0.0.1:9229');
    expect(parseRuntimeConfig(cloud).userPoolEndpoint).toBeUndefined();
  });
  it('rejects a config without a GraphQL endpoint', () => {
    expect(() => parseRuntimeConfig({ ...cloud, graphqlEndpoint: 'not a url' })).toThrow();
  });
});

describe('local mode', () => {
  it('is plain http on loopback only', () => {
    expect(isLocalEndpoint(local.graphqlEndpoint)).toBe(true);
    expect(isLocalEndpoint('http://localhost:1/graphql')).toBe(true);
    expect(isLocalEndpoint(cloud.graphqlEndpoint)).toBe(false);
    expect(isLocalEndpoint('http://10.0.0.1/graphql')).toBe(false);
    expect(isLocalEndpoint('nonsense')).toBe(false);
  });

  it('signs in with USER_PASSWORD_AUTH locally and SRP in the cloud unless configured', () => {
    expect(resolveAuthFlowType(parseRuntimeConfig(local))).toBe('USER_PASSWORD_AUTH');
    expect(resolveAuthFlowType(parseRuntimeConfig(cloud))).toBe('USER_SRP_AUTH');
    expect(resolveAuthFlowType(parseRuntimeConfig({ ...cloud, authFlowType: 'USER_PASSWORD_AUTH' }))).toBe(
      'USER_PASSWORD_AUTH',
    );
  });
});

describe('rewriteRealtimeUrl', () => {
  it("turns Amplify's wss:// realtime URL into ws:// for the local endpoint", () => {
    expect(rewriteRealtimeUrl('wss://127.0.0.1:4100/graphql/realtime?x=1', local.graphqlEndpoint)).toBe(
      'ws://127.0.0.1:4100/graphql/realtime?x=1',
    );
  });
  it('leaves other hosts and the cloud untouched', () => {
    expect(rewriteRealtimeUrl('wss://127.0.0.1:9999/realtime', local.graphqlEndpoint)).toBe(
      'wss://127.0.0.1:9999/realtime',
    );
    const cloudUrl = 'wss://abc.appsync-realtime-api.ap-northeast-1.amazonaws.com/graphql';
    expect(rewriteRealtimeUrl(cloudUrl, cloud.graphqlEndpoint)).toBe(cloudUrl);
  });
});
