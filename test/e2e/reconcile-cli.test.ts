/**
 * `npm run reconcile` against a running stack found through its stack file: exit 0 and an empty table
 * when clean; exit 1, the anomaly in the table and in the JSON last line once one is injected; and
 * the real command line (tsx, as the npm script runs it) says the same.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReconcileSummary, runLocalReconcile } from '../../infra/local/reconcile.js';
import { loadLocalConfig } from '../../infra/local/stack/local-config.js';
import { writeStackFile } from '../../infra/local/stack/stack-file.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

const ROOT = resolve(import.meta.dirname, '../..');
let t: TestStack;

beforeAll(async () => {
  t = await startTestStack({ EV_STATIONS: '2' });
  // What `npm start` writes once ready; this test process plays the stack's pid.
  writeStackFile(t.dataDir, {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    readyInMs: 0,
    children: {},
    urls: t.stack.urls,
  });
}, 120_000);

afterAll(async () => {
  await t?.stop();
});

async function run(): Promise<{ code: number; out: string; summary: ReconcileSummary }> {
  let out = '';
  const code = await runLocalReconcile(loadLocalConfig({ EV_DATA_DIR: t.dataDir }), {
    out: (s) => {
      out += s;
    },
    err: () => {},
  });
  return { code, out, summary: lastLineJson(out) };
}

function lastLineJson(out: string): ReconcileSummary {
  const last = out.trimEnd().split('\n').at(-1) ?? '';
  return JSON.parse(last) as ReconcileSummary;
}

describe('npm run reconcile', () => {
  it('exits 0 with nothing open on a clean stack', async () => {
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.out).toContain('No open anomalies.');
    expect(r.summary).toMatchObject({ ok: true, found: 0, new: 0, open: 0 });
  });

  it('exits 1 and lists an injected anomaly; a second run finds it again but not as new', async () => {
    const at = new Date(Date.now() - 3_600_000).toISOString();
    const stationId = t.stack.stations[0]?.id ?? '';
    await t.stack.deps.ports.sessions.create(
      {
        id: 'ses_cli_nopi',
        driverId: 'drv_cli',
        stationId,
        startKey: 'cli',
        state: 'PAID',
        version: 1,
        tariff: { milliYenPerKwh: 50_000, sessionFeeYen: 100, milliYenPerMinute: 0 },
        createdAt: at,
        updatedAt: at,
        paymentIntentId: 'pi_cli_missing',
      },
      { sessionId: 'ses_cli_nopi', seq: 1, at, from: null, to: 'PAID', cause: 'Injected', evidence: {} },
    );
    const first = await run();
    expect(first.code).toBe(1);
    expect(first.out).toMatch(/PAID_WITHOUT_SUCCEEDED_PI\s+ses_cli_nopi/);
    expect(first.summary).toMatchObject({
      ok: false,
      found: 1,
      new: 1,
      open: 1,
      openByKind: { PAID_WITHOUT_SUCCEEDED_PI: 1 },
    });
    const second = await run();
    expect(second.summary).toMatchObject({ found: 1, new: 0, open: 1 });
  });

  it('runs as the npm script does and reports the same', async () => {
    const child = spawn(resolve(ROOT, 'node_modules/.bin/tsx'), ['infra/local/reconcile.ts'], {
      cwd: ROOT,
      env: { ...process.env, EV_DATA_DIR: t.dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const code = await new Promise<number | null>((done) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (c) => {
        clearTimeout(timer);
        done(c);
      });
    });
    expect(code).toBe(1);
    expect(lastLineJson(out)).toMatchObject({ ok: false, new: 0, open: 1 });
  }, 70_000);
});
