import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvBattery } from '../../../firmware-sim/src/ev-battery.js';
import { StationNode } from '../../../firmware-sim/src/station-node.js';
import { parsePreset } from '../../../firmware-sim/src/station-spec.js';
import { TimerWheel } from '../../../firmware-sim/src/timer-wheel.js';
import { type LocalIot, startLocalIot, stationPassword } from '../../../infra/local/iot/local-iot.js';
import { BackendProbe } from './backend-probe.js';

const SECRET = 'sim-test-secret';
const BACKEND = { username: 'backend', password: 'backend-pw' };

let iot: LocalIot;
let probe: BackendProbe;
const wheel = new TimerWheel();
const nodes: StationNode[] = [];

function station(id: string, over: { reportMs?: number; keepaliveSec?: number } = {}): StationNode {
  const node = new StationNode({
    scheduler: wheel,
    spec: parsePreset('mode3-200v-6kw'),
    reportMs: { charging: over.reportMs ?? 200, idle: over.reportMs ?? 200 },
    replayPerSec: 200,
    link: {
      stationId: id,
      url: iot.mqttUrl,
      auth: { kind: 'password', password: stationPassword(SECRET, id) },
      reconnectMs: 200,
      keepaliveSec: over.keepaliveSec ?? 30,
    },
  });
  node.station.plugEv(new EvBattery({ capacityWh: 40_000, socPct: 40, maxAcceptW: 6_600 }));
  nodes.push(node);
  node.start();
  return node;
}

beforeAll(async () => {
  iot = await startLocalIot({ stationSecret: SECRET, backend: BACKEND });
  probe = await BackendProbe.connect(iot.mqttUrl, BACKEND.username, BACKEND.password);
});

afterAll(async () => {
  wheel.stop();
  await Promise.all(nodes.map((n) => n.stop(false)));
  await probe?.close();
  await iot?.close();
});

const online = (id: string) => () => probe.of(id, 'conn').at(-1)?.online === true;

describe('a simulated station over the local broker', () => {
  it('announces itself online (retained conn + state) and energizes and de-energizes on command', async () => {
    station('IT-RT');
    await probe.waitFor('conn online', online('IT-RT'));
    expect(probe.of('IT-RT', 'state').at(-1)).toMatchObject({ model: 'mode3', breaker: 'open', ratedW: 6000 });
    const close = await probe.command('IT-RT', 'close', 'ses-rt');
    const ack = await probe.waitFor('close ack', () => probe.of('IT-RT', 'ack').find((a) => a.cmdId === close));
    expect(ack).toMatchObject({ ok: true, breaker: 'closed', sessionId: 'ses-rt' });
    await probe.waitFor('meter while charging', () =>
      probe
        .of('IT-RT', 'meter')
        .find((m) => m.sessionId === 'ses-rt' && m.powerW > 5_000 && m.registerWh > ack.registerWh),
    );
    const open = await probe.command('IT-RT', 'open', 'ses-rt');
    const openAck = await probe.waitFor('open ack', () => probe.of('IT-RT', 'ack').find((a) => a.cmdId === open));
    expect(openAck).toMatchObject({ ok: true, breaker: 'open' });
    const end = await probe.waitFor('session_end', () =>
      probe.of('IT-RT', 'evt').find((e) => e.event === 'session_end'),
    );
    expect(end).toMatchObject({
      reason: 'remote',
      startRegisterWh: ack.registerWh,
      stopRegisterWh: openAck.registerWh,
    });
    expect(openAck.registerWh).toBeGreaterThan(ack.registerWh);
    expect(probe.invalid).toEqual([]);
  });

  it('answers a duplicate command with the same ack and ignores an expired one', async () => {
    station('IT-DUP');
    await probe.waitFor('conn online', online('IT-DUP'));
    await probe.command('IT-DUP', 'close', 'ses-old', { cmdId: 'expired-1', issuedAt: Date.now() - 120_000 });
    const id = await probe.command('IT-DUP', 'close', 'ses-dup', { cmdId: 'dup-1' });
    const first = await probe.waitFor('ack', () => probe.of('IT-DUP', 'ack').find((a) => a.cmdId === id));
    await probe.command('IT-DUP', 'close', 'ses-dup', { cmdId: 'dup-1' });
    const both = await probe.waitFor('second ack', () => {
      const acks = probe.of('IT-DUP', 'ack').filter((a) => a.cmdId === 'dup-1');
      return acks.length === 2 ? acks : undefined;
    });
    expect(both[1]).toEqual(first);
    expect(probe.of('IT-DUP', 'ack').some((a) => a.cmdId === 'expired-1')).toBe(false);
  });

  it('goes offline with the Last Will, buffers readings and replays them in seq order on reconnect', async () => {
    const node = station('IT-OFF');
    await probe.waitFor('conn online', online('IT-OFF'));
    await probe.waitFor('a live report', () => probe.of('IT-OFF', 'meter').length >= 2 || undefined);
    node.goOffline(1_500);
    await probe.waitFor('Last Will', () => probe.of('IT-OFF', 'conn').at(-1)?.online === false);
    await probe.waitFor('back online', online('IT-OFF'));
    const meters = await probe.waitFor('replay done', () => {
      const ms = probe.of('IT-OFF', 'meter');
      return node.station.buffered === 0 && ms.some((m) => m.replayed) && ms.at(-1)?.replayed !== true ? ms : undefined;
    });
    const replayed = meters.filter((m) => m.replayed);
    expect(replayed.length).toBeGreaterThanOrEqual(4);
    const seqs = meters.map((m) => m.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs.at(-1)! - seqs[0]!).toBe(seqs.length - 1);
  });

  it('delivers a command queued in its persistent session while it was away', async () => {
    const node = station('IT-PERSIST');
    await probe.waitFor('conn online', online('IT-PERSIST'));
    node.goOffline(1_000);
    await probe.waitFor('Last Will', () => probe.of('IT-PERSIST', 'conn').at(-1)?.online === false);
    const id = await probe.command('IT-PERSIST', 'close', 'ses-q');
    const ack = await probe.waitFor('ack after reconnect', () =>
      probe.of('IT-PERSIST', 'ack').find((a) => a.cmdId === id),
    );
    expect(ack).toMatchObject({ ok: true, breaker: 'closed' });
  });

  it('ends a session interrupted by a reboot with reason powerLoss', async () => {
    const node = station('IT-BOOT');
    await probe.waitFor('conn online', online('IT-BOOT'));
    const id = await probe.command('IT-BOOT', 'close', 'ses-boot');
    const ack = await probe.waitFor('ack', () => probe.of('IT-BOOT', 'ack').find((a) => a.cmdId === id));
    await probe.waitFor('energy flowing', () =>
      probe.of('IT-BOOT', 'meter').find((m) => m.registerWh > ack.registerWh),
    );
    node.powerLoss(800);
    await probe.waitFor('Last Will', () => probe.of('IT-BOOT', 'conn').at(-1)?.online === false);
    const end = await probe.waitFor('session_end', () =>
      probe.of('IT-BOOT', 'evt').find((e) => e.event === 'session_end'),
    );
    expect(end).toMatchObject({ sessionId: 'ses-boot', reason: 'powerLoss', startRegisterWh: ack.registerWh });
    expect(probe.of('IT-BOOT', 'evt').some((e) => e.event === 'boot')).toBe(true);
    expect(node.station.cp.breaker).toBe('open');
  });
});
