/** Browser wiring: fetch `/config.json`, configure Amplify, and in local mode make realtime use ws://. */
import { Amplify } from 'aws-amplify';
import {
  amplifyResources,
  isLocalEndpoint,
  parseRuntimeConfig,
  type RuntimeConfig,
  rewriteRealtimeUrl,
} from './runtime-config.js';

export async function loadRuntimeConfig(fetchImpl: typeof fetch = fetch): Promise<RuntimeConfig> {
  const response = await fetchImpl('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
  return parseRuntimeConfig(await response.json());
}

/**
 * Amplify opens `new WebSocket('wss://…/realtime')` with no way to choose the scheme; the local
 * AppSync-protocol server has no TLS, so the constructor is wrapped to rewrite that one URL.
 */
let localWebSocketInstalled = false;

function installLocalWebSocket(graphqlEndpoint: string): void {
  if (localWebSocketInstalled) return;
  localWebSocketInstalled = true;
  const Native = window.WebSocket;
  class LocalRealtimeWebSocket extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(rewriteRealtimeUrl(String(url), graphqlEndpoint), protocols);
    }
  }
  window.WebSocket = LocalRealtimeWebSocket;
}

export function configureAmplify(config: RuntimeConfig): void {
  if (isLocalEndpoint(config.graphqlEndpoint)) installLocalWebSocket(config.graphqlEndpoint);
  Amplify.configure(amplifyResources(config));
}
