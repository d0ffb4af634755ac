/** State survives a restart, including kill -9: nothing acknowledged is lost, pending webhooks resume. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { startStripeEmulator } from '../../../infra/local/stripe/index.js';
import { startReceiver } from './webhook-receiver.js';

const SECRET = 'whsec_restart';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function client(port: number): Stripe {
  return new Stripe('sk_test_restart', { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
}

async function spawnEmulator(dataDir: string, webhook: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'infra/local/stripe/main.ts', '--data', dataDir, '--webhook', `${webhook}=${SECRET}`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines = createInterface({ input: child.stdout ?? process.stdin });
  const first = await Promise.race([
    new Promise<string>((resolve) => lines.once('line', resolve)),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('emulator did not start in 20 s')), 20_000)),
  ]);
  lines.close();
  const ready = JSON.parse(first) as { port: number };
  return { child, port: ready.port };
}

describe('Stripe emulator persistence', () => {
  it('keeps every acknowledged write across kill -9, replays idempotency keys and resumes pending webhooks', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stripe-emu-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const rx = await startReceiver([SECRET]);
    cleanups.push(() => rx.close());
    rx.failNext(1_000);

    const { child, port } = await spawnEmulator(dataDir, rx.url);
    const before = client(port);
    const customer = await before.customers.create({ email: 'persist@example.com' });
    const pm = await before.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const params = {
      amount: 2_500,
      currency: 'jpy',
      customer: customer.id,
      payment_method: pm.id,
      off_session: true,
      confirm: true,
      metadata: { sessionId: 'ses-persist' },
    };
    const pi = await before.paymentIntents.create(params, { idempotencyKey: 'persist-key' });
    expect(pi.status).toBe('succeeded');

    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    rx.failNext(0);

    const emu = await startStripeEmulator({
      dataDir,
      webhooks: [{ url: rx.url, secret: SECRET }],
      webhookRetry: { baseDelayMs: 20 },
    });
    cleanups.push(() => emu.close());
    const after = client(emu.port);
    expect((await after.customers.retrieve(customer.id)).id).toBe(customer.id);
    expect(await after.paymentIntents.retrieve(pi.id)).toMatchObject({ status: 'succeeded', amount: 2_500 });
    const replay = await after.paymentIntents.create(params, { idempotencyKey: 'persist-key' });
    expect(replay.id).toBe(pi.id);
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect((await after.paymentIntents.list({ customer: customer.id })).data).toHaveLength(1);

    await emu.webhooksIdle();
    expect(rx.applied).toContainEqual(
      expect.objectContaining({ type: 'payment.succeeded', paymentIntentId: pi.id, sessionId: 'ses-persist' }),
    );
  });
});
