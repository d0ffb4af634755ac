import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', '..', 'bench', 'disk.bench.ts');
const run = (...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });

describe('npm run bench:disk', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('syncs at the asked pace and ends with its figures as one JSON object, leaving nothing behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ev-disk-bench-test-'));
    dirs.push(dir);
    const out = run('--seconds', '1', '--rate', '20', '--bytes', '4096', '--dir', dir);
    const figures = JSON.parse(out.trim().split('\n').at(-1) ?? '');
    expect(figures).toMatchObject({ dir, fsyncs: 20, bytesPerWrite: 4096 });
    expect(figures.seconds).toBeGreaterThanOrEqual(0.9);
    expect(figures.p50Ms).toBeGreaterThanOrEqual(0);
    expect(figures.p50Ms).toBeLessThanOrEqual(figures.p99Ms);
    expect(figures.p99Ms).toBeLessThanOrEqual(figures.maxMs);
    expect(figures.over50Ms).toBeLessThanOrEqual(figures.over20Ms);
    expect(figures.shareOfTimeInSyncsOver50Ms).toMatch(/^\d+\.\d\d %$/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses arguments out of range', () => {
    expect(() => run('--rate', '0')).toThrow(/rate/);
  });
});
