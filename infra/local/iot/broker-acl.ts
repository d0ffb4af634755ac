/**
 * aedes hooks that mirror the AWS IoT thing policy: a station is its own thing (client id =
 * username = thing name), may subscribe only to its own `cmd` and publish only on its own upstream
 * channels; the backend identity may do anything. AWS IoT has no QoS 2, so it is refused on
 * publish and downgraded to 1 on subscribe.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AedesOptions, AedesPublishPacket, AuthErrorCode, AuthenticateError, Client } from 'aedes';
import { MAX_PAYLOAD_BYTES, NO_MQTT_CLIENT_ID, toIotRuleEvent } from '../../../contracts/iot-rule.js';
import {
  type Channel,
  parseTopic,
  STATION_PUBLISH_CHANNELS,
  StationId,
  topicFor,
} from '../../../contracts/station-protocol.js';
import type { Logger } from '../../../functions/src/ports/logger.port.js';

/** Backend clients whose id starts with this receive each message as the IoT rule event (see rule-emulator.ts). */
export const RULE_CLIENT_PREFIX = 'iot-rules-';

const RETAINED_CHANNELS: readonly Channel[] = ['state', 'conn'];

export function stationPassword(stationSecret: string, stationId: string): string {
  return createHmac('sha256', stationSecret).update(stationId).digest('hex');
}

export type Identity = { kind: 'station'; stationId: string } | { kind: 'backend'; rules: boolean };

export interface AclOptions {
  stationSecret: string;
  backend: { username: string; password: string };
  isKnownStation?: (stationId: string) => boolean | Promise<boolean>;
  logger: Logger;
  now?: () => number;
}

function sameSecret(a: string, b: Buffer | undefined): boolean {
  if (!b) return false;
  const x = Buffer.from(a);
  return x.length === b.length && timingSafeEqual(x, b);
}

function authError(code: AuthErrorCode, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: code });
}

// Literal values of aedes' ambient const enum (not importable under isolatedModules). Bad credentials
// answer 5 (not authorized) like AWS IoT, which does not tell a wrong password from an unknown thing.
const IDENTIFIER_REJECTED = 2 as AuthErrorCode;
const SERVER_UNAVAILABLE = 3 as AuthErrorCode;
const NOT_AUTHORIZED = 5 as AuthErrorCode;

type Hooks = Required<
  Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'>
>;

export function makeAclHooks(opts: AclOptions): Hooks & { identityOf(client: Client): Identity | undefined } {
  const identities = new WeakMap<Client, Identity>();
  const now = opts.now ?? Date.now;
  const log = opts.logger;

  /** Which topics a station may publish on, and whether it may retain there. */
  function stationMayPublish(stationId: string, topic: string, retain: boolean): string | undefined {
    const t = parseTopic(topic);
    if (!t || t.stationId !== stationId) return 'not its own topic';
    if (!STATION_PUBLISH_CHANNELS.some((c) => c === t.channel)) return `channel ${t.channel} is backend → station`;
    if (retain && !RETAINED_CHANNELS.includes(t.channel)) return `retain not allowed on ${t.channel}`;
    return undefined;
  }

  const authenticate: Hooks['authenticate'] = (client, username, password, done) => {
    if (username === opts.backend.username) {
      if (!sameSecret(opts.backend.password, password)) {
        log.warn('iot.auth.refused', { clientId: client.id, reason: 'backend password' });
        return done(authError(NOT_AUTHORIZED, 'not authorized'), false);
      }
      identities.set(client, { kind: 'backend', rules: client.id.startsWith(RULE_CLIENT_PREFIX) });
      return done(null, true);
    }
    const id = StationId.safeParse(username);
    if (!id.success || !sameSecret(stationPassword(opts.stationSecret, id.data), password)) {
      log.warn('iot.auth.refused', { clientId: client.id, reason: 'station credentials' });
      return done(authError(NOT_AUTHORIZED, 'not authorized'), false);
    }
    if (client.id !== id.data) {
      log.warn('iot.auth.refused', {
        clientId: client.id,
        stationId: id.data,
        reason: 'client id is not the station id',
      });
      return done(authError(IDENTIFIER_REJECTED, 'client id must equal the station id'), false);
    }
    // The Last Will is published on the station's behalf later; refuse a will it could not publish itself.
    const will = (client as Client & { _will?: { topic?: string; retain?: boolean } | null })._will;
    if (will?.topic !== undefined && stationMayPublish(id.data, will.topic, will.retain === true)) {
      log.warn('iot.auth.refused', { clientId: client.id, reason: 'will topic not allowed' });
      return done(authError(NOT_AUTHORIZED, 'will topic not allowed'), false);
    }
    Promise.resolve()
      .then(() => (opts.isKnownStation ? opts.isKnownStation(id.data) : true))
      .then(
        (known) => {
          if (!known) {
            log.warn('iot.auth.refused', { clientId: client.id, reason: 'unknown station' });
            return done(authError(NOT_AUTHORIZED, 'unknown station'), false);
          }
          identities.set(client, { kind: 'station', stationId: id.data });
          done(null, true);
        },
        (e: unknown) => {
          log.error('iot.auth.lookupFailed', { clientId: client.id, error: String(e) });
          done(authError(SERVER_UNAVAILABLE, 'station lookup failed'), false);
        },
      );
  };

  const authorizePublish: Hooks['authorizePublish'] = (client, packet, cb) => {
    if (client === null) return cb(null); // broker-internal: data-plane shim
    const who = identities.get(client);
    if (!who) return cb(new Error('not authenticated'));
    // AWS IoT Core refuses a message over 128 KiB and disconnects the client; so does the local broker.
    if (Buffer.byteLength(packet.payload) > MAX_PAYLOAD_BYTES) {
      log.warn('iot.publish.refused', {
        clientId: client.id,
        topic: packet.topic.slice(0, 256),
        reason: 'payload too large',
        bytes: Buffer.byteLength(packet.payload),
      });
      return cb(new Error('payload too large'));
    }
    if (packet.qos === 2) {
      log.warn('iot.publish.refused', { clientId: client.id, topic: packet.topic, reason: 'QoS 2' });
      return cb(new Error('QoS 2 is not supported'));
    }
    if (who.kind === 'backend') return cb(null);
    const why = stationMayPublish(who.stationId, packet.topic, packet.retain);
    if (why) {
      log.warn('iot.publish.refused', { clientId: client.id, topic: packet.topic.slice(0, 256), reason: why });
      return cb(new Error(why));
    }
    cb(null);
  };

  const authorizeSubscribe: Hooks['authorizeSubscribe'] = (client, sub, cb) => {
    const who = identities.get(client);
    // Delivered and persisted at QoS 1 at most; aedes still echoes the requested QoS in the SUBACK.
    if (sub.qos > 1) sub.qos = 1;
    if (who?.kind === 'backend') return cb(null, sub);
    if (who?.kind === 'station' && sub.topic === topicFor(who.stationId, 'cmd')) return cb(null, sub);
    log.warn('iot.subscribe.refused', { clientId: client.id, topic: sub.topic.slice(0, 256) });
    cb(null, null); // [MQTT-3.9.3] return code 0x80 for this filter, the rest of the SUBACK stands
  };

  const authorizeForward: Hooks['authorizeForward'] = (client, packet) => {
    const who = identities.get(client);
    if (who?.kind !== 'backend' || !who.rules) return packet;
    // AWS rules never see retained replays, only live publishes.
    if (packet.retain) return null;
    const event = toIotRuleEvent({
      topic: packet.topic,
      payload: packet.payload instanceof Uint8Array ? packet.payload : Buffer.from(packet.payload),
      clientId: (packet as AedesPublishPacket & { clientId?: string }).clientId ?? NO_MQTT_CLIENT_ID,
      receivedAt: now(),
    });
    const projected: AedesPublishPacket = { ...packet, payload: Buffer.from(JSON.stringify(event)) };
    return projected;
  };

  return {
    authenticate,
    authorizePublish,
    authorizeSubscribe,
    authorizeForward,
    identityOf: (client) => identities.get(client),
  };
}
