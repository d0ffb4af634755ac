/**
 * The browser tests serve web/dist: build it when it is missing or older than its sources, so a test
 * never drives yesterday's app. An up-to-date build costs nothing; a rebuild takes a few seconds.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../../../..');
const WEB = join(ROOT, 'web');
const BUILT_MARKER = join(WEB, 'dist', 'index.html');

function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestMtimeMs(join(path, name))), stat.mtimeMs);
}

/** true when web/dist is missing or any input of the build changed after it. */
export function webBuildIsStale(): boolean {
  if (!existsSync(BUILT_MARKER)) return true;
  const inputs = ['src', 'index.html', 'vite.config.ts'].map((p) => join(WEB, p)).filter((p) => existsSync(p));
  const newestInput = Math.max(...inputs.map(newestMtimeMs));
  return newestInput > statSync(BUILT_MARKER).mtimeMs;
}

/** Builds web/dist with the project's own Vite when stale; returns whether it built. */
export async function ensureWebBuild(): Promise<boolean> {
  if (!webBuildIsStale()) return false;
  const vite = join(ROOT, 'node_modules', '.bin', 'vite');
  await promisify(execFile)(vite, ['build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: ROOT,
    timeout: 120_000,
    // vitest sets NODE_ENV=test, which would make Vite bundle React's development build (twice the size).
    env: { ...process.env, NODE_ENV: 'production' },
  });
  return true;
}
