/**
 * One charging session as a driver lives it, timed from the driver's side: startCharge → CHARGING
 * seen by the subscriber (energize), charge for a while, stopCharge → PAID seen by the subscriber (paid).
 * The subscriber is either the driver's own `onMySessionUpdates`, open since sign-in (`driver`), or a
 * per-session `onSessionUpdate` opened once startCharge answered, followed by one read (`session`).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { payHostedCheckout } from '../../../infra/local/stripe/index.js';
import type { DriverClient, SubscribeMode } from './driver-client.js';

const START = `mutation Start($stationId: ID!, $key: String!) {
  startCharge(stationId: $stationId, idempotencyKey: $key) { checkoutUrl session { id state } } }`;
const STOP = 'mutation Stop($id: ID!) { stopCharge(sessionId: $id) { id state } }';
const SESSION = 'query S($id: ID!) { session(id: $id) { id state } }';
const State = z.object({ session: z.object({ state: z.string() }) });

const Started = z.object({
  startCharge: z.object({
    checkoutUrl: z.string().nullable(),
    session: z.object({ id: z.string(), state: z.string() }),
  }),
});

export interface SessionResult {
  sessionId: string;
  energizeMs?: number;
  paidMs?: number;
  /** How many PAID updates the subscriber saw (1 is right). */
  paidSeen: number;
  /**
   * The subscription can only start once startCharge returned the session (the server refuses an
   * unknown id), so a fast ack can publish CHARGING before it is in place. Like the web app, the
   * driver then reads the session once: CHARGING found that way counts from the moment the read answered.
   */
  chargingByRead: boolean;
  /**
   * Where energize went (ms from startCharge sent): its answer, and in `session` mode the subscription
   * acked and the read answered.
   */
  phases?: { startedMs: number; subscribedMs?: number; readMs?: number };
  usedCheckout: boolean;
  /** When startCharge was sent (epoch ms, sub-ms precision): to line a session up with the stack's traces. */
  sentAtMs?: number;
  error?: string;
}

let counter = 0;

/** Resolves when the subscriber has seen `state` (or any of the give-up states), or after the timeout. */
class SeenStates {
  readonly at = new Map<string, number>();
  paid = 0;
  private wakers: Array<() => void> = [];
  see(state: string, at = performance.now()): void {
    if (state === 'PAID') this.paid += 1;
    if (!this.at.has(state)) this.at.set(state, at);
    for (const w of this.wakers.splice(0)) w();
  }
  async wait(state: string, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const at = this.at.get(state);
      if (at !== undefined) return at;
      const failed = ['FAILED_TO_START', 'CANCELLED', 'PAYMENT_FAILED', 'PAYMENT_ACTION_REQUIRED', 'CARRIED_OVER'].find(
        (s) => this.at.has(s),
      );
      if (failed) throw new Error(`session reached ${failed} waiting for ${state}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no ${state} within ${timeoutMs} ms (seen: ${[...this.at.keys()].join(',')})`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wakers.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

export async function runSession(
  driver: DriverClient,
  stationId: string,
  opts: { chargeMs: number; timeoutMs: number; card: string; subscribe: SubscribeMode },
): Promise<SessionResult> {
  const key = `bench-${process.pid}-${Date.now().toString(36)}-${++counter}`;
  const seen = new SeenStates();
  const result: SessionResult = { sessionId: '', paidSeen: 0, usedCheckout: false, chargingByRead: false };
  let unwatch = (): void => {};
  try {
    const t0 = performance.now();
    result.sentAtMs = performance.timeOrigin + t0;
    const started = Started.parse(await driver.graphql(START, { stationId, key })).startCharge;
    const sessionId = started.session.id;
    result.sessionId = sessionId;
    const startedAt = performance.now();
    if (opts.subscribe === 'driver') {
      // Open since sign-in: whatever arrived for this id before the answer is replayed with its time.
      unwatch = driver.follow(sessionId, (state, at) => seen.see(state, at));
      result.phases = { startedMs: startedAt - t0 };
    } else {
      unwatch = await driver.watch(sessionId, (state) => seen.see(state));
      const subscribedAt = performance.now();
      const now = State.parse(await driver.graphql(SESSION, { id: sessionId })).session.state;
      result.phases = { startedMs: startedAt - t0, subscribedMs: subscribedAt - t0, readMs: performance.now() - t0 };
      if (now === 'CHARGING' && !seen.at.has('CHARGING')) {
        result.chargingByRead = true;
        seen.see('CHARGING');
      }
    }
    if (started.checkoutUrl) {
      result.usedCheckout = true;
      const paid = await payHostedCheckout(started.checkoutUrl, { card: opts.card });
      if (paid.outcome !== 'completed') throw new Error(`hosted Checkout ended ${paid.outcome}`);
    }
    result.energizeMs = (await seen.wait('CHARGING', opts.timeoutMs)) - t0;
    await sleep(opts.chargeMs);
    const t1 = performance.now();
    await driver.graphql(STOP, { id: sessionId });
    result.paidMs = (await seen.wait('PAID', opts.timeoutMs)) - t1;
  } catch (e) {
    result.error = e instanceof Error ? e.message : String(e);
  } finally {
    result.paidSeen = seen.paid;
    unwatch();
  }
  return result;
}
