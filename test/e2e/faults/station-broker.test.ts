/**
 * Issue 9, faults at the station/broker boundary, each injected mid-session on the running local
 * stack: a broker restart, a station offline when the driver stops, lost and duplicated acks, and a
 * recorded command replayed an hour late. Every case ends with the shared invariants (expectHealthy).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { durationMs, priceYen } from '../../../functions/src/domain/pricing.js';
import type { AmplifyNodeUser } from '../../support/amplify-node.js';
import { expectHealthy } from '../../support/invariants.js';
import { startTestStack, type TestStack } from '../../support/test-stack.js';
import {
  BAY_A as A,
  BAY_B as B,
  BrokerObserver,
  chargingWith,
  driverWithCard,
  expectBilledOnce,
  inState,
  ledger,
  node,
  sessionWhen,
  startSession,
  stopSession,
  until,
} from './fault-support.js';

let t: TestStack;
let user: AmplifyNodeUser;
let observer: BrokerObserver;

beforeAll(async () => {
  // The watchdog re-sends an unanswered close after 2 s and an unanswered open after 3 s (15 s / 30 s by default).
  t = await startTestStack({ EV_START_RESEND_SEC: '2', EV_STOP_RESEND_SEC: '3' });
  observer = await BrokerObserver.connect(t);
  user = await driverWithCard(t, A, 'faults-station');
}, 120_000);

afterAll(async () => {
  await observer?.close();
  await user?.dispose();
  await t?.stop();
});

const Status = z.object({ stationEvents: z.object({ received: z.number() }) });
const received = async () => Status.parse(await t.stack.status()).stationEvents.received;

describe('faults at the station/broker boundary', () => {
  it('broker restart mid-session: stations reconnect, the session completes and is billed once from the registers', async () => {
    const id = await startSession(user, A);
    await chargingWith(t, id, 3);
    const before = await received();

    await t.stack.restartBroker({ downMs: 1_000 });
    // Every station reconnects (jittered) and the rules client resubscribes: station messages flow again.
    await until('every station back online', async () =>
      t.stack.simulator.fleet.online() === t.stack.stations.length ? true : undefined,
    );
    await until('station messages reaching the backend again', async () =>
      (await received()) > before + 2 ? true : undefined,
    );
    const stillCharging = await sessionWhen(t, id, inState('CHARGING'));
    const startWh = stillCharging.startRegisterWh ?? 0;
    await until('more energy after the restart', async () =>
      node(t, A).station.registerWh > startWh + 5 ? true : undefined,
    );

    await stopSession(user, id);
    const paid = await expectBilledOnce(t, id);
    expect(paid.stopRegisterWh).toBeGreaterThan(startWh + 5);
    await expectHealthy(t);
  });

  it('station offline at stop: the stop waits; on reconnect it is billed from the end the station recorded', async () => {
    const cfg = t.stack.deps.ports.config;
    const saved = { offlineMaxSec: cfg.offlineMaxSec };
    // The station enforces a 3 s offline cap by itself and is away for 7 s. The open command (and the
    // watchdog's re-sends, same cmdId) wait in its broker queue, still live when it is back: it answers
    // them `ok` with `ended`, the end it recorded ~4 s earlier, and replays that session_end too.
    // Whichever lands first meters the session, with the station's end — not the time it came back.
    cfg.offlineMaxSec = 3;
    try {
      const id = await startSession(user, B);
      const charging = await chargingWith(t, id, 2);
      node(t, B).goOffline(7_000);
      // The broker fires the station's Last Will; the backend marks it offline.
      await until('the station seen offline', async () =>
        (await t.stack.deps.ports.stations.get(B))?.online === false ? true : undefined,
      );
      const stopping = await stopSession(user, id);
      expect(stopping.state).toBe('STOPPING');

      const metered = await sessionWhen(t, id, (s) => s.stopRegisterWh !== undefined, 20_000);
      const end = await until('the replayed session_end', async () => observer.sessionEnd(id));
      const openAck = await until('the open ack', async () => observer.acks(id).find((a) => a.action === 'open'));
      expect(end.reason).toBe('offlineCap');
      expect(openAck).toMatchObject({
        ok: true,
        reason: 'sessionEnded',
        ended: { stopRegisterWh: end.stopRegisterWh, endedAt: end.endedAt, reason: 'offlineCap' },
      });
      // The ack came seconds after the end: billing from it would have charged the gap.
      expect(Date.parse(openAck.at) - Date.parse(end.endedAt)).toBeGreaterThan(2_000);
      expect(metered).toMatchObject({
        startRegisterWh: charging.startRegisterWh,
        stopRegisterWh: end.stopRegisterWh,
        endedAt: end.endedAt,
        amountYen: priceYen(
          metered.tariff,
          end.stopRegisterWh - (charging.startRegisterWh ?? 0),
          durationMs(metered.startedAt, end.endedAt),
        ),
      });
      const meteredBy = (await ledger(t, id)).filter((e) => e.to === 'METERED');
      expect(meteredBy).toHaveLength(1);
      expect(['BreakerOpened', 'SessionEnded']).toContain(meteredBy[0]?.cause);
      expect(meteredBy[0]?.evidence).toMatchObject({ registerWh: end.stopRegisterWh });
      await expectBilledOnce(t, id);
      expect(node(t, B).station.cp.breaker).toBe('open');
      expect((await t.stack.deps.ports.stations.get(B))?.online).toBe(true);
    } finally {
      Object.assign(cfg, saved);
    }
    await expectHealthy(t);
  });

  it('duplicated acks: each ack arrives twice, each transition happens once', async () => {
    const station = node(t, A).station;
    station.ackFaults = { duplicateP: 1 };
    try {
      const id = await startSession(user, A);
      await chargingWith(t, id, 2);
      await stopSession(user, id);
      await expectBilledOnce(t, id);
      const acks = observer.acks(id);
      expect(acks.filter((a) => a.action === 'close').length).toBeGreaterThanOrEqual(2);
      expect(acks.filter((a) => a.action === 'open').length).toBeGreaterThanOrEqual(2);
      expect(new Set(acks.map((a) => a.cmdId)).size).toBe(2);
      const states = (await ledger(t, id)).map((e) => e.to);
      expect(states.filter((s) => s === 'CHARGING')).toHaveLength(1);
      expect(states.filter((s) => s === 'STOPPING')).toHaveLength(1);
    } finally {
      station.ackFaults = {};
    }
    await expectHealthy(t);
  });

  it('lost acks: a lost close ack is recovered by re-sending the same command; a lost open ack by session_end', async () => {
    const station = node(t, B).station;
    station.ackFaults = { dropP: 1 };
    let id = '';
    try {
      id = await startSession(user, B);
      await until('the station to close for the session', async () => (station.sessionId === id ? true : undefined));
    } finally {
      station.ackFaults = {};
    }
    // The backend never heard the close: it asks again with the same cmdId and gets the cached ack.
    await chargingWith(t, id, 2, 30_000);
    const closes = observer.commands(id).filter((c) => c.action === 'close');
    expect(closes.length).toBeGreaterThanOrEqual(2);
    expect(new Set(closes.map((c) => c.cmdId)).size).toBe(1);
    expect(station.counters.duplicates).toBeGreaterThanOrEqual(1);

    station.ackFaults = { dropP: 1 };
    try {
      await stopSession(user, id);
      await expectBilledOnce(t, id);
      expect((await ledger(t, id)).find((e) => e.to === 'METERED')?.cause).toBe('SessionEnded');
    } finally {
      station.ackFaults = {};
    }
    await expectHealthy(t);
  });

  it('a recorded close command replayed an hour late is refused: the breaker stays open, nothing changes', async () => {
    const id = await startSession(user, A);
    await chargingWith(t, id, 1);
    await stopSession(user, id);
    await expectBilledOnce(t, id);
    const [close] = observer.commands(id).filter((c) => c.action === 'close');
    if (!close) throw new Error('the close command was not observed');
    const station = node(t, A).station;
    const before = { ...station.counters };
    const entries = (await ledger(t, id)).length;

    // The same bytes again: the station answers with the ack it sent the first time and does nothing.
    await observer.publish(A, 'cmd', close);
    // As the broker would deliver it after an hour queued: its window long past (and unknown to the cache).
    const HOUR = 3_600_000;
    const shift = (iso: string) => new Date(Date.parse(iso) - HOUR).toISOString();
    await observer.publish(A, 'cmd', {
      ...close,
      cmdId: `${close.cmdId}-late`,
      issuedAt: shift(close.issuedAt),
      expiresAt: shift(close.expiresAt),
    });
    await until('both replays to reach the station', async () =>
      station.counters.commands >= before.commands + 2 ? true : undefined,
    );
    expect(station.counters.duplicates).toBe(before.duplicates + 1);
    expect(station.counters.ignoredExpired).toBe(before.ignoredExpired + 1);
    expect(station.cp.breaker).toBe('open');
    expect(station.sessionId).toBeNull();
    // The backend saw at most the cached ack again: no transition, no charge.
    await new Promise((r) => setTimeout(r, 500));
    expect((await ledger(t, id)).length).toBe(entries);
    await expectBilledOnce(t, id);
    expect((await t.stack.deps.ports.stations.get(A))?.activeSessionId ?? null).toBeNull();
    await expectHealthy(t);
  });
});
