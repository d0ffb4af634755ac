/**
 * Issue 6 acceptance: `npm start` exactly as the README says (with ports and data directory set the
 * documented way), the whole journey through the API, `npm run status`, Ctrl-C stopping every child,
 * and a second start on the same data that still has the session and its receipt.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmplifyNodeUser } from '../support/amplify-node.js';
import { chargeOnce, ok, PASSWORD, Q, type SessionDto, signedUpDriver } from '../support/journey.js';
import { alive, commandOf, type NpmStart, npmStatus, portFree, startNpm, waitUntil } from './npm-start-child.js';

const READY_BUDGET_MS = 20_000;
let dataDir: string;
let run: NpmStart | undefined;
let email: string;
let paid: SessionDto;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'ev-npm-start-'));
});

afterAll(async () => {
  run?.destroy();
  await rm(dataDir, { recursive: true, force: true });
});

/** What the test measured, for the report (vitest prints stdout of the test file). */
const note = (s: string) => process.stdout.write(`[npm-start] ${s}\n`);

describe('npm start (as the README says)', () => {
  it('prints one readiness block and writes stack.json with every URL', async () => {
    run = await startNpm({ dataDir, env: { EV_REPORT_MS: '500' } });
    const readyIn = run.output().match(/local platform READY in ([\d.]+) s/)?.[1];
    note(`READY printed "${readyIn} s"; wall clock from spawning npm: ${run.readyMs} ms`);
    expect(Number(readyIn) * 1000).toBeLessThanOrEqual(READY_BUDGET_MS);
    for (const line of ['Web app', 'GraphQL API', 'Demo driver', 'Test cards', 'Stop: Ctrl-C']) {
      expect(run.output()).toContain(line);
    }
    expect(run.stack.urls.graphql).toBe(`http://127.0.0.1:${run.ports.APPSYNC}/graphql`);
    expect(run.stack.urls.dynamodb).toBe(`http://127.0.0.1:${run.ports.DYNAMODB}`);
    expect(commandOf(run.stack.children.dynamodb ?? 0)).toContain('DynamoDBLocal.jar');
    expect(commandOf(run.stack.children['cognito-local'] ?? 0)).toContain('cognito-local');
  });

  it('runs the whole journey through the API: sign-up, Checkout, live charging, stop, paid with a receipt', async () => {
    if (!run) throw new Error('not started');
    const driver = await signedUpDriver(run.target, run.pool, 'npm-start');
    email = driver.email;
    try {
      // Minatomirai's ¥110 session fee makes even a short session a real charge (≥ ¥50: not carried over).
      const r = await chargeOnce(driver.user, 'YOK-MM-01', { timeoutMs: 45_000 });
      expect(r.usedCheckout).toBe(true);
      expect(r.risingWh[1]).toBeGreaterThan(r.risingWh[0] ?? 0);
      expect(r.final.state).toBe('PAID');
      expect(r.final.receipt?.paymentIntentId).toMatch(/^pi_/);
      expect(r.final.receipt?.energyWh).toBe(
        (r.final.receipt?.stopRegisterWh ?? 0) - (r.final.receipt?.startRegisterWh ?? 0),
      );
      paid = r.final;
    } finally {
      await driver.user.dispose();
    }
  });

  it('`npm run status` reports every part up, stations online and sessions by state', async () => {
    const status = await npmStatus(dataDir);
    note(`status output:\n${status.stdout}`);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/local platform — up/);
    expect(status.stdout).not.toContain('✗');
    expect(status.stdout).toMatch(/Stations: 8 of 8 online/);
    expect(status.stdout).toMatch(/Sessions: 1 — PAID 1/);
  });

  it('stops on Ctrl-C (SIGINT to the process group): every child exits, every port is free', async () => {
    if (!run) throw new Error('not started');
    const { tree, ports } = run;
    expect(tree).toContain(run.stack.children.dynamodb);
    expect(tree).toContain(run.stack.children['cognito-local']);
    process.kill(-(run.child.pid ?? 0), 'SIGINT');
    const exit = await Promise.race([
      run.exited,
      new Promise((_, no) => setTimeout(() => no(new Error('no exit')), 30_000)),
    ]);
    note(`npm exited: ${JSON.stringify(exit)}`);
    expect(run.output()).toMatch(/SIGINT: stopping…\s+stopped\./);
    await waitUntil('every process of the tree to end', () => tree.every((pid) => !alive(pid)), 10_000);
    for (const [name, port] of Object.entries(ports)) {
      expect({ name, free: await portFree(port) }).toEqual({ name, free: true });
    }
    const status = await npmStatus(dataDir);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain('not running');
    run = undefined;
  });

  it('starts again on the same data: the earlier session and its receipt are still there', async () => {
    run = await startNpm({ dataDir });
    note(`second start: wall clock ${run.readyMs} ms`);
    const user = new AmplifyNodeUser(run.target);
    try {
      await user.signIn(email, PASSWORD);
      const again = await ok(user.graphql<{ session: SessionDto }>(Q.session, { id: paid.id }));
      expect(again.session.state).toBe('PAID');
      expect(again.session.receipt).toEqual(paid.receipt);
      const mine = await ok(user.graphql<{ mySessions: { items: { id: string }[] } }>(Q.mySessions));
      expect(mine.mySessions.items.map((s) => s.id)).toEqual([paid.id]);
    } finally {
      await user.dispose();
    }
    // This time stop it the way `kill <pid>` does: only the stack process gets the signal, so it must
    // end its children itself.
    const { tree } = run;
    process.kill(run.stack.pid, 'SIGTERM');
    await run.exited;
    await waitUntil('every process of the tree to end', () => tree.every((pid) => !alive(pid)), 10_000);
    run = undefined;
  });
});
