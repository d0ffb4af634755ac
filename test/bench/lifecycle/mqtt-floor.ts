/**
 * The floor under every station round trip: a bare QoS 1 publish → the same message back from the
 * same broker, sampled all through the run (so it sees the same load). Nagle is off on the client as
 * on every production client (FACTS.md: otherwise each round trip waits ~88 ms of delayed ACKs).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';

export interface MqttFloor {
  samples(): number[];
  stop(): Promise<void>;
}

export async function startMqttFloor(opts: {
  url: string;
  username: string;
  password: string;
  everyMs: number;
}): Promise<MqttFloor> {
  const client = mqtt.connect(opts.url, {
    clientId: `bench-echo-${randomUUID().slice(0, 8)}`,
    username: opts.username,
    password: opts.password,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  client.on('connect', () => {
    const stream = client.stream as { setNoDelay?: (on: boolean) => void };
    stream.setNoDelay?.(true);
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  const topic = `bench/echo/${randomUUID()}`;
  await client.subscribeAsync(topic, { qos: 1 });
  const sent = new Map<string, number>();
  const samples: number[] = [];
  client.on('message', (_t, payload) => {
    const key = payload.toString();
    const at = sent.get(key);
    if (at === undefined) return;
    sent.delete(key);
    samples.push(performance.now() - at);
  });
  let n = 0;
  const timer = setInterval(() => {
    // A sample not echoed within 10 s is not a round trip any more; keep the map bounded.
    if (sent.size > 1_000) sent.clear();
    const key = String(++n);
    sent.set(key, performance.now());
    client.publish(topic, key, { qos: 1 });
  }, opts.everyMs);
  return {
    samples: () => samples,
    async stop() {
      clearInterval(timer);
      await client.endAsync();
    },
  };
}
