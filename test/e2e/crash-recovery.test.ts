/**
 * Issue 6 acceptance: `kill -9` of the stack mid-session loses nothing acknowledged to the driver.
 * The stack process is SIGKILLed while a session is CHARGING (its DynamoDB Local JVM survives a killed
 * parent and keeps the port), `npm start` runs again on the same data and ports, cleans up, and the
 * session completes: stop → PAID, with exactly one succeeded PaymentIntent in the Stripe emulator.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { payHostedCheckout } from '../../infra/local/stripe/index.js';
import { AmplifyNodeUser } from '../support/amplify-node.js';
import { ok, PASSWORD, Q, type SessionDto, signedUpDriver } from '../support/journey.js';
import { alive, commandOf, type NpmStart, startNpm, waitUntil } from './npm-start-child.js';

let dataDir: string;
let run: NpmStart | undefined;
const users: AmplifyNodeUser[] = [];
const note = (s: string) => process.stdout.write(`[crash-recovery] ${s}\n`);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ev-crash-'));
});

afterAll(async () => {
  for (const u of users) await u.dispose();
  run?.destroy();
  await rm(dataDir, { recursive: true, force: true });
});

async function sessionOf(user: AmplifyNodeUser, id: string): Promise<SessionDto> {
  return (await ok(user.graphql<{ session: SessionDto }>(Q.session, { id }))).session;
}

async function waitForState(user: AmplifyNodeUser, id: string, accept: (s: SessionDto) => boolean, timeoutMs = 45_000) {
  let last: SessionDto | undefined;
  try {
    await waitUntil(
      `session ${id} to reach the expected state`,
      async () => {
        last = await sessionOf(user, id);
        return accept(last);
      },
      timeoutMs,
    );
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; last seen: ${JSON.stringify(last)}`);
  }
  if (!last) throw new Error('no session read');
  return last;
}

const PaymentIntentList = z.object({
  data: z.array(
    z.object({ id: z.string(), status: z.string(), amount: z.number(), metadata: z.record(z.string(), z.string()) }),
  ),
  has_more: z.boolean(),
});

/** Every PaymentIntent the emulator holds, read the way any Stripe client lists them. */
async function paymentIntents(stripeUrl: string): Promise<z.infer<typeof PaymentIntentList>['data']> {
  const { stripeKey } = z
    .object({ stripeKey: z.string() })
    .parse(JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')));
  const res = await fetch(`${stripeUrl}/v1/payment_intents?limit=100`, {
    headers: { authorization: `Bearer ${stripeKey}` },
  });
  const list = PaymentIntentList.parse(await res.json());
  expect(list.has_more).toBe(false);
  return list.data;
}

describe('kill -9 of the whole stack mid-session', () => {
  it('restarts on the same data, cleans up the orphaned JVM, completes the session and bills it once', async () => {
    run = await startNpm({ dataDir, env: { EV_REPORT_MS: '500' } });
    const { user, email } = await signedUpDriver(run.target, run.pool, 'crash');
    users.push(user);

    const started = await ok(
      user.graphql<{ startCharge: { checkoutUrl: string | null; session: SessionDto } }>(Q.start, {
        stationId: 'YOK-MM-01',
        key: `crash-${Date.now()}`,
      }),
    );
    const id = started.startCharge.session.id;
    const checkout = started.startCharge.checkoutUrl;
    if (!checkout) throw new Error('a new driver should be sent to Checkout');
    // The live kWh reaches the driver through the subscription (it is not written per report).
    const live = user.subscribe<{ onSessionUpdate: SessionDto }>(Q.onSession, { id });
    await live.ready;
    expect((await payHostedCheckout(checkout, { card: '4242424242424242' })).outcome).toBe('completed');
    const charging = await live.waitFor(
      // Enough energy that a lost meter register would show on the bill (6 kW: ~3 s).
      (e) => e.onSessionUpdate.state === 'CHARGING' && (e.onSessionUpdate.energyWh ?? 0) >= 5,
      45_000,
    );
    live.unsubscribe();
    note(`CHARGING with ${charging.onSessionUpdate.energyWh} Wh when killed`);

    // kill -9 of the stack process: no signal handler runs, nothing is stopped in order.
    const first = run;
    const { dynamodb: jvm = 0, 'cognito-local': cognito = 0 } = first.stack.children;
    process.kill(first.stack.pid, 'SIGKILL');
    await first.exited;
    // DynamoDB Local is a JVM: it survives its parent and keeps the port (and the database files).
    note(`after SIGKILL: JVM ${jvm} alive=${alive(jvm)}, cognito-local ${cognito} alive=${alive(cognito)}`);
    expect(alive(first.stack.pid)).toBe(false);
    run = undefined;

    run = await startNpm({ dataDir, ports: first.ports, env: { EV_REPORT_MS: '500' } });
    note(
      `restart ready in ${run.readyMs} ms; it said:\n${
        run
          .output()
          .match(/^ {2}! .*$/gm)
          ?.join('\n') ?? '(nothing)'
      }`,
    );
    expect(run.output()).toContain('did not stop cleanly');
    await waitUntil('the old JVM and cognito-local to be gone', () => !alive(jvm) && !alive(cognito), 10_000);
    expect(commandOf(run.stack.children.dynamodb ?? 0)).toContain('DynamoDBLocal.jar');
    expect(run.stack.children.dynamodb).not.toBe(jvm);

    const again = new AmplifyNodeUser(run.target);
    users.push(again);
    await again.signIn(email, PASSWORD);
    const afterRestart = await sessionOf(again, id);
    note(`after restart the session is ${afterRestart.state}`);
    expect(['CHARGING', 'STOPPING', 'METERED', 'PAYMENT_PENDING', 'PAID']).toContain(afterRestart.state);

    if (afterRestart.state === 'CHARGING') {
      await ok(again.graphql<{ stopCharge: SessionDto }>(Q.stop, { id }));
    }
    const final = await waitForState(again, id, (s) => s.state === 'PAID');
    note(`final: ${final.state}, ${final.receipt?.energyWh} Wh, ¥${final.receipt?.chargedYen}`);
    expect(final.receipt?.paymentIntentId).toMatch(/^pi_/);
    expect(final.receipt?.chargedYen).toBeGreaterThanOrEqual(110); // Minatomirai's session fee alone
    // The meters kept their registers through the crash (saved every 200 ms, like a real meter's
    // non-volatile register): the bill covers at least what the driver saw before the kill, give or
    // take the last fraction of a second (≤ 1 Wh at 6 kW).
    expect(final.receipt?.energyWh ?? 0).toBeGreaterThanOrEqual((charging.onSessionUpdate.energyWh ?? 0) - 1);

    const forSession = (await paymentIntents(run.stack.urls.stripe)).filter((pi) => pi.metadata.sessionId === id);
    expect(forSession.filter((pi) => pi.status === 'succeeded')).toEqual([
      expect.objectContaining({ id: final.receipt?.paymentIntentId, amount: final.receipt?.chargedYen }),
    ]);
    expect(forSession).toHaveLength(1);

    const { tree } = run;
    process.kill(-(run.child.pid ?? 0), 'SIGINT');
    await run.exited;
    await waitUntil('every process of the tree to end', () => tree.every((pid) => !alive(pid)), 10_000);
    run = undefined;
  });
});
