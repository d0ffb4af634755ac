import mqtt, { type MqttClient } from 'mqtt';
import { parseStationMessage, type StationInbound, topicFor } from '../../../contracts/station-protocol.js';

type MessageOf = { [K in StationInbound['channel']]: Extract<StationInbound, { channel: K }>['message'] };

/** The backend's view of the broker for tests: every station message, parsed by the contract. */
export class BackendProbe {
  readonly seen: StationInbound[] = [];
  readonly invalid: string[] = [];
  private n = 0;

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      if (topic.endsWith('/cmd')) return; // its own commands, echoed by the wildcard subscription
      const r = parseStationMessage(topic, payload);
      if (r.ok) this.seen.push(r.value);
      else this.invalid.push(`${topic}: ${r.detail}`);
    });
  }

  static async connect(url: string, username: string, password: string): Promise<BackendProbe> {
    const client = await mqtt.connectAsync(url, {
      protocolVersion: 4,
      clientId: `probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      username,
      password,
      clean: true,
      reconnectPeriod: 0,
    });
    (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
    const probe = new BackendProbe(client);
    await client.subscribeAsync('ev/v1/st/+/+', { qos: 1 });
    return probe;
  }

  async command(
    stationId: string,
    action: 'close' | 'open',
    sessionId: string,
    over: { cmdId?: string; issuedAt?: number; ttlMs?: number; limits?: Record<string, number> } = {},
  ): Promise<string> {
    const cmdId = over.cmdId ?? `cmd-${++this.n}`;
    const issued = over.issuedAt ?? Date.now();
    const body = {
      v: 1,
      cmdId,
      sessionId,
      action,
      issuedAt: new Date(issued).toISOString(),
      expiresAt: new Date(issued + (over.ttlMs ?? 30_000)).toISOString(),
      ...(over.limits ? { limits: over.limits } : {}),
    };
    await this.client.publishAsync(topicFor(stationId, 'cmd'), JSON.stringify(body), { qos: 1 });
    return cmdId;
  }

  of<C extends keyof MessageOf>(stationId: string, channel: C): MessageOf[C][] {
    const out: MessageOf[C][] = [];
    for (const m of this.seen)
      if (m.stationId === stationId && m.channel === channel) out.push(m.message as MessageOf[C]);
    return out;
  }

  /** Polls until `pick` returns a value; bounded by `timeoutMs`. */
  async waitFor<T>(what: string, pick: () => T | undefined, timeoutMs = 10_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const v = pick();
      if (v !== undefined && v !== false) return v;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }

  close(): Promise<void> {
    return this.client.endAsync(true);
  }
}
