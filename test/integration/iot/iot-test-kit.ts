/** Shared setup for the local IoT integration tests: a broker on ephemeral ports and mqtt.js clients. */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from '../../../functions/src/ports/logger.port.js';
import {
  type LocalIot,
  type LocalIotOptions,
  startLocalIot,
  stationPassword,
} from '../../../infra/local/iot/local-iot.js';

export const SECRET = 'test-station-secret';
export const BACKEND = { username: 'backend', password: 'backend-pass' };

export interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

export function memoryLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    void lines.push({ level, msg, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export async function startTestIot(extra: Partial<LocalIotOptions> = {}): Promise<LocalIot & { log: LogLine[] }> {
  const logger = memoryLogger();
  const iot = await startLocalIot({ stationSecret: SECRET, backend: BACKEND, logger, ...extra });
  return Object.assign(iot, { log: logger.lines });
}

const clients = new Set<MqttClient>();

/** Connects with MQTT 3.1.1 and Nagle off; rejects with the CONNACK code on refusal. */
export async function connect(url: string, opts: IClientOptions): Promise<MqttClient> {
  const client = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  clients.add(client);
  client.on('connect', () => {
    const stream = client.stream as { setNoDelay?: (v: boolean) => void };
    stream.setNoDelay?.(true);
  });
  client.on('error', () => {});
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (e) => reject(e));
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

export function stationOpts(stationId: string, extra: IClientOptions = {}): IClientOptions {
  return { clientId: stationId, username: stationId, password: stationPassword(SECRET, stationId), ...extra };
}

export function backendOpts(clientId: string, extra: IClientOptions = {}): IClientOptions {
  return { clientId, username: BACKEND.username, password: BACKEND.password, ...extra };
}

/** Collects messages arriving on a client, and waits (bounded) for a condition on them. */
export function inbox(client: MqttClient): {
  messages: Array<{ topic: string; payload: string; retain: boolean }>;
  waitFor(n: number, timeoutMs?: number): Promise<void>;
} {
  const messages: Array<{ topic: string; payload: string; retain: boolean }> = [];
  client.on('message', (topic, payload, packet) =>
    messages.push({ topic, payload: payload.toString(), retain: packet.retain }),
  );
  return {
    messages,
    async waitFor(n, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} messages, got ${messages.length}`);
        await sleep(10);
      }
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Ends every client opened through connect() (call in afterEach). */
export async function endAllClients(): Promise<void> {
  await Promise.all([...clients].map((c) => c.endAsync(true).catch(() => {})));
  clients.clear();
}
