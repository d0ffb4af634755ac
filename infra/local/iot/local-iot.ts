/**
 * The local stand-in for AWS IoT Core: an aedes broker (MQTT 3.1.1 over TCP and WebSocket) with
 * the thing-policy ACLs of broker-acl.ts, and the data-plane Publish API over HTTP. Persistent
 * sessions, retained messages and Last Will come from aedes with its in-memory persistence, whose
 * retained lookups are indexed by topic (retained-index.ts).
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { Logger } from '../../../functions/src/ports/logger.port.js';
import { makeAclHooks, RULE_CLIENT_PREFIX, stationPassword } from './broker-acl.js';
import { makeDataPlaneShim } from './data-plane-shim.js';
import { indexBrokerRetained, type RetainedIndexStats } from './retained-index.js';
import type { StaticCredentials } from './sigv4-verify.js';
import { stderrLogger } from './stderr-logger.js';
import { type CoalescingStats, coalesceWrites } from './write-coalescing.js';

export { RULE_CLIENT_PREFIX, stationPassword };

export interface LocalIotOptions {
  /** Interface to bind; loopback unless you know why not. */
  host?: string;
  /** 0 = ephemeral (default). */
  mqttPort?: number;
  wsPort?: number;
  httpPort?: number;
  stationSecret: string;
  backend: { username: string; password: string };
  isKnownStation?: (stationId: string) => boolean | Promise<boolean>;
  /** Verify data-plane SigV4 signatures with this key (otherwise only their shape is checked). */
  dataPlaneCredentials?: StaticCredentials;
  logger?: Logger;
}

export interface LocalIot {
  mqttUrl: string;
  wsUrl: string;
  /** http://127.0.0.1:PORT — the `endpoint` for IoTDataPlaneClient. */
  publishEndpoint: string;
  /** The broker, for in-process observers (tests, status); publish through clients or the shim. */
  broker: Aedes;
  /** Broker internals for benchmarks and tests: retained lookups (index vs scan), rules-client writes. */
  stats(): { retained: RetainedIndexStats; rulesWrites: CoalescingStats };
  close(): Promise<void>;
}

function listen(server: NetServer | HttpServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      if (addr === null || typeof addr === 'string') return reject(new Error('no TCP address'));
      resolve(addr.port);
    });
  });
}

function closeServer(server: NetServer | HttpServer, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

function track(server: NetServer | HttpServer, sockets: Set<Socket>): void {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
}

export async function startLocalIot(opts: LocalIotOptions): Promise<LocalIot> {
  const host = opts.host ?? '127.0.0.1';
  const logger = opts.logger ?? stderrLogger;
  const acl = makeAclHooks({
    stationSecret: opts.stationSecret,
    backend: opts.backend,
    isKnownStation: opts.isKnownStation,
    logger,
  });
  // aedes' default concurrency (100 messages in routing at once) caps throughput: each forwarded
  // message holds its slot for two event-loop turns (deliver in a setImmediate, then the write
  // callback in another), so at most ~50 messages pass per turn; on a busy machine turns stretch and
  // 5,000 reports/s queued for seconds. Memory per slot is one packet.
  const broker = await Aedes.createBroker({ ...acl, concurrency: 5_000 });
  // Before any retained message exists: exact-topic SUBSCRIBEs must not scan every retained message.
  const retained = indexBrokerRetained(broker);
  // The rules client receives every station message: batch its writes (write-coalescing.ts).
  const rulesWrites: CoalescingStats[] = [];
  broker.on('clientReady', (client) => {
    const who = acl.identityOf(client);
    if (who?.kind === 'backend' && who.rules) rulesWrites.push(coalesceWrites(client.conn));
  });
  broker.on('clientError', (client, error) =>
    logger.debug('iot.clientError', { clientId: client.id, error: error.message }),
  );

  const sockets = new Set<Socket>();
  // Nagle + delayed ACK costs ~88 ms per QoS 1 round trip (FACTS.md): off on the broker side.
  const mqttServer = createNetServer({ noDelay: true }, (socket) => broker.handle(socket));
  track(mqttServer, sockets);

  const wsHttp = createHttpServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' });
    res.end('MQTT over WebSocket only');
  });
  track(wsHttp, sockets);
  const wss = new WebSocketServer({
    server: wsHttp,
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
  });
  wss.on('connection', (ws, req) => {
    req.socket.setNoDelay(true);
    const stream = createWebSocketStream(ws);
    stream.on('error', () => ws.terminate());
    broker.handle(stream, req);
  });

  const shimServer = createHttpServer(
    makeDataPlaneShim({
      credentials: opts.dataPlaneCredentials,
      logger,
      publish: ({ topic, payload, qos, retain }) =>
        new Promise((resolve, reject) =>
          broker.publish({ cmd: 'publish', topic, payload, qos, retain, dup: false }, (e) =>
            e ? reject(e) : resolve(),
          ),
        ),
    }),
  );
  track(shimServer, sockets);

  const started: Array<NetServer | HttpServer> = [];
  try {
    const mqttPort = await listen(mqttServer, opts.mqttPort ?? 0, host);
    started.push(mqttServer);
    const wsPort = await listen(wsHttp, opts.wsPort ?? 0, host);
    started.push(wsHttp);
    const httpPort = await listen(shimServer, opts.httpPort ?? 0, host);
    started.push(shimServer);
    let closed: Promise<void> | undefined;
    return {
      mqttUrl: `mqtt://${host}:${mqttPort}`,
      wsUrl: `ws://${host}:${wsPort}/mqtt`,
      publishEndpoint: `http://${host}:${httpPort}`,
      broker,
      stats: () => ({
        retained: retained.stats(),
        rulesWrites: rulesWrites.reduce(
          (sum, w) => ({
            writes: sum.writes + w.writes,
            flushes: sum.flushes + w.flushes,
            full: sum.full + w.full,
          }),
          { writes: 0, flushes: 0, full: 0 },
        ),
      }),
      close() {
        closed ??= (async () => {
          await new Promise<void>((resolve) => broker.close(() => resolve()));
          for (const c of wss.clients) c.terminate();
          await new Promise<void>((resolve) => wss.close(() => resolve()));
          await Promise.all(started.map((s) => closeServer(s, sockets)));
        })();
        return closed;
      },
    };
  } catch (e) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await Promise.all(started.map((s) => closeServer(s, sockets)));
    throw e;
  }
}
