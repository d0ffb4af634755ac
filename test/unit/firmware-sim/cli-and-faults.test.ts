import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCliOptions, stationIds } from '../../../firmware-sim/src/cli-options.js';
import { parseDuration, parseFaults } from '../../../firmware-sim/src/faults.js';
import { loadIotCoreConfig } from '../../../firmware-sim/src/iot-core-config.js';

describe('fault plans', () => {
  it('parses random rates, per-station one-shots, delays and durations', () => {
    expect(parseFaults('ackDrop:0.05,offline:2~30s,powerLoss@SIM-00007+20s~5s,welded@SIM-00003')).toEqual([
      { kind: 'ackDrop', rate: 0.05 },
      { kind: 'offline', rate: 2, durationMs: 30_000 },
      { kind: 'powerLoss', stationId: 'SIM-00007', afterMs: 20_000, durationMs: 5_000 },
      { kind: 'welded', stationId: 'SIM-00003', afterMs: 0 },
    ]);
    expect(parseFaults('partition:1')).toEqual([{ kind: 'partition', rate: 1, durationMs: 90_000 }]);
    expect(parseFaults(undefined)).toEqual([]);
  });

  it('refuses unknown kinds, probabilities above 1 and malformed items', () => {
    expect(() => parseFaults('meltdown:1')).toThrow();
    expect(() => parseFaults('ackDrop:1.5')).toThrow(/bad rate/);
    expect(() => parseFaults('offline')).toThrow(/bad fault/);
  });

  it('reads durations in ms, s, m and h', () => {
    expect([
      parseDuration('500ms'),
      parseDuration('30s'),
      parseDuration('2m'),
      parseDuration('1h'),
      parseDuration('7'),
    ]).toEqual([500, 30_000, 120_000, 3_600_000, 7_000]);
    expect(() => parseDuration('soon')).toThrow(/bad duration/);
  });
});

describe('CLI options', () => {
  it('takes stations, broker, secret, prefix and models, with defaults for the rest', () => {
    const o = parseCliOptions(
      ['--stations', '3', '--broker', 'mqtt://127.0.0.1:1', '--prefix', 'TKY', '--models', 'mode3-200v-6kw'],
      { STATION_SECRET: 'from-env' },
    );
    expect(o).toMatchObject({
      stations: 3,
      broker: 'mqtt://127.0.0.1:1',
      secret: 'from-env',
      prefix: 'TKY',
      reportMs: { charging: 5_000, idle: 60_000 },
      connectRatePerSec: 500,
    });
    expect(o.specs).toEqual([expect.objectContaining({ model: 'mode3', ratedW: 6_000 })]);
  });

  it('rejects a non-MQTT broker URL, a bad prefix and unknown flags', () => {
    expect(() => parseCliOptions(['--broker', 'http://x'])).toThrow(/broker/);
    expect(() => parseCliOptions(['--prefix', '../x'])).toThrow(/prefix/);
    expect(() => parseCliOptions(['--nope', '1'])).toThrow();
  });

  it('numbers station ids with five digits from 1', () => {
    expect(stationIds('SIM', 2)).toEqual(['SIM-00001', 'SIM-00002']);
  });
});

describe('AWS IoT Core configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-iot-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of ['a.cert.pem', 'a.key', 'b.cert.pem', 'b.key', 'root.pem']) writeFileSync(join(dir, f), `-- ${f} --`);

  it('loads a fleet file: mqtts endpoint, one certificate and key per thing, a shared CA', () => {
    const path = join(dir, 'fleet.json');
    writeFileSync(
      path,
      JSON.stringify({
        endpoint: 'abc123-ats.iot.ap-northeast-1.amazonaws.com',
        caPath: 'root.pem',
        things: [
          { thingName: 'TKY-001', certPath: 'a.cert.pem', keyPath: 'a.key' },
          { thingName: 'TKY-002', certPath: 'b.cert.pem', keyPath: 'b.key' },
        ],
      }),
    );
    const t = loadIotCoreConfig(path);
    expect(t.url).toBe('mqtts://abc123-ats.iot.ap-northeast-1.amazonaws.com:8883');
    expect(t.ids).toEqual(['TKY-001', 'TKY-002']);
    const auth = t.authFor('TKY-002');
    expect(auth.kind === 'x509' && [String(auth.cert), String(auth.key), String(auth.ca)]).toEqual([
      '-- b.cert.pem --',
      '-- b.key --',
      '-- root.pem --',
    ]);
    expect(() => t.authFor('TKY-999')).toThrow(/no certificate/);
  });

  it('loads a single-thing file and refuses an endpoint that is not a host name', () => {
    const one = join(dir, 'one.json');
    writeFileSync(
      one,
      JSON.stringify({
        endpoint: 'x-ats.iot.us-east-1.amazonaws.com',
        port: 443,
        thingName: 'A1',
        certPath: 'a.cert.pem',
        keyPath: 'a.key',
      }),
    );
    expect(loadIotCoreConfig(one)).toMatchObject({ url: 'mqtts://x-ats.iot.us-east-1.amazonaws.com:443', ids: ['A1'] });
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ endpoint: 'mqtts://x/y', thingName: 'A1', certPath: 'a', keyPath: 'b' }));
    expect(() => loadIotCoreConfig(bad)).toThrow();
  });
});
