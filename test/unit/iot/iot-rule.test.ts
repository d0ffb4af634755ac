import { describe, expect, it } from 'vitest';
import {
  IotRuleEvent,
  NO_MQTT_CLIENT_ID,
  ruleMatches,
  STATION_EVENTS_RULE,
  STATION_EVENTS_RULE_SQL,
  STATION_METER_RULE,
  STATION_METER_RULE_SQL,
  toIotRuleEvent,
  topicMatches,
} from '../../../contracts/iot-rule.js';
import { topicFor } from '../../../contracts/station-protocol.js';
import { stationPassword } from '../../../infra/local/iot/local-iot.js';
import { coveringFilters } from '../../../infra/local/iot/rule-emulator.js';

describe('IoT rule contract', () => {
  it('selects the raw payload as base64 with topic, publisher client id and receive time', () => {
    expect(STATION_EVENTS_RULE_SQL).toBe(
      "SELECT encode(*, 'base64') AS payloadB64, topic() AS topic, clientid() AS clientId, timestamp() AS receivedAt " +
        "FROM 'ev/v1/st/+/+' WHERE topic(5) = 'ack' OR topic(5) = 'evt' OR topic(5) = 'state' OR topic(5) = 'conn'",
    );
    expect(STATION_METER_RULE_SQL).toContain("FROM 'ev/v1/st/+/meter' WHERE topic(5) = 'meter'");
    expect(STATION_EVENTS_RULE.name).toMatch(/^[A-Za-z0-9_]+$/);
  });

  it('routes meter reports to the meter rule only, and commands to no rule', () => {
    const rules = [STATION_EVENTS_RULE, STATION_METER_RULE];
    const routed = (topic: string) => rules.filter((r) => ruleMatches(r, topic)).map((r) => r.name);
    expect(routed(topicFor('A', 'meter'))).toEqual(['ev_station_meter']);
    expect(routed(topicFor('A', 'ack'))).toEqual(['ev_station_events']);
    expect(routed(topicFor('A', 'conn'))).toEqual(['ev_station_events']);
    expect(routed(topicFor('A', 'cmd'))).toEqual([]);
    expect(routed('ev/v1/st/A/meter/x')).toEqual([]);
  });

  it('matches MQTT topic filters', () => {
    expect(topicMatches('ev/v1/st/+/+', 'ev/v1/st/A/ack')).toBe(true);
    expect(topicMatches('ev/v1/st/+/+', 'ev/v1/st/A')).toBe(false);
    expect(topicMatches('ev/#', 'ev/v1/st/A/ack')).toBe(true);
    expect(topicMatches('ev/v1/st/+/meter', 'ev/v1/st/A/ack')).toBe(false);
    expect(coveringFilters(['ev/v1/st/+/meter', 'ev/v1/st/+/+', 'ev/v1/st/+/+'])).toEqual(['ev/v1/st/+/+']);
    expect(coveringFilters(['a/+', 'b/+'])).toEqual(['a/+', 'b/+']);
  });

  it('builds an event the schema accepts, with n/a for non-MQTT publishers and empty payloads', () => {
    const e = toIotRuleEvent({ topic: 'a/b', payload: Buffer.from('{"x":1}'), clientId: undefined, receivedAt: 5 });
    expect(IotRuleEvent.parse(e)).toEqual({
      payloadB64: 'eyJ4IjoxfQ==',
      topic: 'a/b',
      clientId: NO_MQTT_CLIENT_ID,
      receivedAt: 5,
    });
    expect(IotRuleEvent.safeParse({ ...e, payloadB64: '' }).success).toBe(true);
    expect(IotRuleEvent.safeParse({ ...e, receivedAt: -1 }).success).toBe(false);
    expect(IotRuleEvent.safeParse({ ...e, payloadB64: 'not base64!' }).success).toBe(false);
  });

  it('derives a station password as HMAC-SHA256(secret, stationId) in hex', () => {
    const p = stationPassword('s3cret', 'TKY-001');
    expect(p).toMatch(/^[0-9a-f]{64}$/);
    expect(p).toBe(stationPassword('s3cret', 'TKY-001'));
    expect(p).not.toBe(stationPassword('s3cret', 'TKY-002'));
  });
});
