import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { LAST_WILL_PAYLOAD, topicFor } from '../../contracts/station-protocol.js';
import type { StationChannel, StationLink } from './station-link.js';

/** How one station authenticates: the local broker's password, or an AWS IoT X.509 certificate. */
export type StationAuth =
  | { kind: 'password'; password: string }
  | { kind: 'x509'; cert: string | Buffer; key: string | Buffer; ca?: string | Buffer };

export interface LinkOptions {
  stationId: string;
  url: string;
  auth: StationAuth;
  keepaliveSec?: number;
  reconnectMs?: number;
  connectTimeoutMs?: number;
}

export interface LinkEvents {
  onUp(): void;
  onDown(): void;
  onCommand(payload: Buffer): void;
}

export interface LinkCounters {
  connects: number;
  disconnects: number;
  errors: number;
}

function noDelay(client: MqttClient): void {
  // Nagle + delayed ACK adds ~88 ms to every QoS 1 round trip (FACTS.md); mqtt.js has no option.
  const stream = client.stream as { setNoDelay?: (v: boolean) => void };
  stream.setNoDelay?.(true);
}

/**
 * One station's MQTT connection as the firmware's network stack would hold it: client id =
 * username = station id, persistent session (clean:false) so QoS 1 commands queue while it is away,
 * a retained Last Will `{"online":false}` on `conn`, MQTT 3.1.1. Also the network-level faults:
 * abrupt offline, silent partition, and a second client taking over the same client id.
 */
export class MqttStationLink implements StationLink {
  readonly counters: LinkCounters = { connects: 0, disconnects: 0, errors: 0 };
  lastError: string | undefined;
  private client: MqttClient | undefined;
  private intruder: MqttClient | undefined;
  private online = false;
  private readonly topics: Record<StationChannel | 'cmd', string>;

  constructor(
    private readonly o: LinkOptions,
    private readonly events: LinkEvents,
  ) {
    const id = o.stationId;
    this.topics = {
      cmd: topicFor(id, 'cmd'),
      ack: topicFor(id, 'ack'),
      meter: topicFor(id, 'meter'),
      evt: topicFor(id, 'evt'),
      state: topicFor(id, 'state'),
      conn: topicFor(id, 'conn'),
    };
  }

  isOnline(): boolean {
    return this.online;
  }

  publish(channel: StationChannel, payload: string, retain: boolean): void {
    this.client?.publish(this.topics[channel], payload, { qos: 1, retain });
  }

  clientOptions(): IClientOptions {
    const o = this.o;
    const auth: IClientOptions =
      o.auth.kind === 'password'
        ? { username: o.stationId, password: o.auth.password }
        : { cert: o.auth.cert, key: o.auth.key, ...(o.auth.ca ? { ca: o.auth.ca } : {}) };
    return {
      protocolVersion: 4,
      clientId: o.stationId,
      clean: false,
      keepalive: o.keepaliveSec ?? 60,
      reconnectPeriod: o.reconnectMs ?? 2_000,
      connectTimeout: o.connectTimeoutMs ?? 30_000,
      queueQoSZero: false,
      resubscribe: false,
      will: { topic: this.topics.conn, payload: Buffer.from(LAST_WILL_PAYLOAD), qos: 1, retain: true },
      ...auth,
    };
  }

  /** Connects (or reconnects after `drop`); mqtt.js keeps reconnecting on its own after that. */
  connect(): void {
    if (this.client) return;
    const client = mqtt.connect(this.o.url, this.clientOptions());
    this.client = client;
    client.on('connect', (connack) => {
      if (client !== this.client) return;
      noDelay(client);
      this.counters.connects++;
      this.online = true;
      // A persistent session the broker still holds keeps the subscription; only a new one needs it.
      if (!connack.sessionPresent) client.subscribe(this.topics.cmd, { qos: 1 });
      this.events.onUp();
    });
    client.on('close', () => {
      if (client !== this.client || !this.online) return;
      this.online = false;
      this.counters.disconnects++;
      this.events.onDown();
    });
    client.on('error', (e) => {
      this.counters.errors++;
      this.lastError = e.message;
    });
    client.on('message', (_topic, payload) => {
      if (client === this.client) this.events.onCommand(payload);
    });
  }

  /** Drops the connection abruptly (no DISCONNECT, so the broker fires the Last Will). */
  drop(): void {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    if (this.online) {
      this.online = false;
      this.counters.disconnects++;
      this.events.onDown();
    }
    c.end(true);
  }

  /**
   * A silent network partition: the socket stays open but nothing passes either way, until keep-alive
   * gives up on both sides (the broker then fires the Last Will) or `heal` lets traffic through again.
   */
  partition(): () => void {
    const stream = this.client?.stream;
    if (!stream) return () => {};
    stream.cork();
    stream.pause();
    return () => {
      if (stream.destroyed) return;
      stream.uncork();
      stream.resume();
    };
  }

  /**
   * Another device connects with this station's client id and credentials. The broker kicks one of
   * the two each time the other connects, so both flap until `release` ends the intruder. It takes
   * over the persistent session too, so commands queued for the station can be swallowed.
   */
  takeover(): () => void {
    this.intruder?.end(true);
    const { will: _will, ...opts } = this.clientOptions();
    const intruder = mqtt.connect(this.o.url, opts);
    intruder.on('error', () => {});
    this.intruder = intruder;
    return () => {
      if (this.intruder === intruder) this.intruder = undefined;
      intruder.end(true);
    };
  }

  /** Ends the connection; `graceful` sends DISCONNECT so no Last Will fires. */
  async close(graceful = true): Promise<void> {
    this.intruder?.end(true);
    this.intruder = undefined;
    const c = this.client;
    this.client = undefined;
    this.online = false;
    if (!c) return;
    if (graceful && c.connected) {
      // Bounded: a graceful end waits for in-flight QoS 1 acks, which a dead broker never sends.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), 2_000);
      });
      const ended = await Promise.race([c.endAsync(false).then(() => 'ended' as const), timeout]);
      clearTimeout(timer);
      if (ended === 'ended') return;
    }
    await c.endAsync(true);
  }
}
