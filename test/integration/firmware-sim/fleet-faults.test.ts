import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stationIds } from '../../../firmware-sim/src/cli-options.js';
import { parseFaults } from '../../../firmware-sim/src/faults.js';
import { Fleet } from '../../../firmware-sim/src/fleet.js';
import { parsePreset } from '../../../firmware-sim/src/station-spec.js';
import { type LocalIot, startLocalIot, stationPassword } from '../../../infra/local/iot/local-iot.js';
import { BackendProbe } from './backend-probe.js';

const SECRET = 'fleet-test-secret';
const BACKEND = { username: 'backend', password: 'backend-pw' };

let iot: LocalIot;
let probe: BackendProbe;
let fleet: Fleet;

beforeAll(async () => {
  iot = await startLocalIot({ stationSecret: SECRET, backend: BACKEND });
  probe = await BackendProbe.connect(iot.mqttUrl, BACKEND.username, BACKEND.password);
  fleet = new Fleet({
    ids: stationIds('FLT', 12),
    specs: [parsePreset('breaker-200v-3kw'), parsePreset('mode3-200v-6kw')],
    url: iot.mqttUrl,
    authFor: (id) => ({ kind: 'password', password: stationPassword(SECRET, id) }),
    reportMs: { charging: 250, idle: 250 },
    connectRatePerSec: 100,
    keepaliveSec: 1,
    reconnectMs: 200,
    faults: parseFaults('powerLoss@FLT-00003+0~300ms,offline@FLT-00004~500ms,unplug@FLT-00002+0~200ms'),
  });
});

afterAll(async () => {
  await fleet?.stop(false);
  await probe?.close();
  await iot?.close();
});

const node = (id: string) => {
  const n = fleet.nodes.find((x) => x.id === id);
  if (!n) throw new Error(id);
  return n;
};
const lastConn = (id: string) => probe.of(id, 'conn').at(-1)?.online;

describe('a fleet of simulated stations', () => {
  it('brings every station online, staggered, each reporting with its own increasing seq', async () => {
    const started = await fleet.start(30_000);
    expect(started.online).toBe(12);
    await probe.waitFor(
      'reports from every station',
      () => fleet.nodes.every((n) => probe.of(n.id, 'meter').length >= 3) || undefined,
    );
    for (const n of fleet.nodes) {
      const seqs = probe.of(n.id, 'meter').map((m) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    }
    expect(probe.invalid).toEqual([]);
  });

  it('applies a per-station fault plan: reboot, network loss and an unplugged EV', async () => {
    await probe.waitFor(
      'FLT-00003 rebooted',
      () => probe.of('FLT-00003', 'evt').filter((e) => e.event === 'boot').length >= 1 || undefined,
    );
    await probe.waitFor('FLT-00004 back online', () =>
      probe.of('FLT-00004', 'conn').some((c) => !c.online) && lastConn('FLT-00004') === true ? true : undefined,
    );
    await probe.waitFor('FLT-00002 (Mode-3) pilot A then B', () => {
      const pilots = probe.of('FLT-00002', 'evt').flatMap((e) => (e.event === 'pilot' ? [e.pilot] : []));
      return pilots.includes('A') && pilots.at(-1) === 'B' ? pilots : undefined;
    });
    expect(fleet.stats().faults).toMatchObject({ powerLoss: 1, offline: 1, unplug: 1 });
  });

  it('detects a silent partition by keep-alive: Last Will at the broker, reconnect, queued messages delivered', async () => {
    const n = node('FLT-00006');
    const before = probe.of('FLT-00006', 'meter').length;
    n.partition(20_000);
    await probe.waitFor('Last Will', () => lastConn('FLT-00006') === false || undefined, 8_000);
    await probe.waitFor('reconnected', () => lastConn('FLT-00006') === true || undefined, 8_000);
    await probe.waitFor('reports flow again', () => probe.of('FLT-00006', 'meter').length > before + 3 || undefined);
    expect(n.link.counters.disconnects).toBeGreaterThanOrEqual(1);
  });

  it('survives a client-id takeover: kicked, flapping while the intruder lives, then back for good', async () => {
    const n = node('FLT-00007');
    const kicksBefore = n.link.counters.disconnects;
    n.takeover(1_000);
    await probe.waitFor('kicked', () => n.link.counters.disconnects > kicksBefore || undefined);
    await new Promise((r) => setTimeout(r, 1_500));
    await probe.waitFor('station owns its client id again', () => (n.link.isOnline() ? true : undefined));
    const seen = probe.of('FLT-00007', 'meter').length;
    await probe.waitFor('reports after takeover', () => probe.of('FLT-00007', 'meter').length > seen + 2 || undefined);
  });
});
