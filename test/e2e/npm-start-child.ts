/**
 * `npm start` as a person runs it, in a child process: free ports found at run time, its own data
 * directory, its own process group (so a group SIGINT is exactly what Ctrl-C in a terminal sends).
 * Knows the whole process tree, so a test can prove that nothing outlives a stop.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CognitoPoolRef } from '../../infra/local/cognito/index.js';
import { type StackFile, StackFileSchema, stackFilePath } from '../../infra/local/stack/stack-file.js';
import type { AmplifyNodeTarget } from '../support/amplify-node.js';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const PORT_NAMES = [
  'WEB',
  'APPSYNC',
  'WEBHOOK',
  'COGNITO',
  'LAMBDA',
  'DYNAMODB',
  'MQTT',
  'MQTT_WS',
  'IOT_DATA',
  'STRIPE',
] as const;

/** Ports that are free right now (held together while picking, so they are distinct). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((ok, fail) => {
          const s = createServer();
          s.once('error', fail);
          // DynamoDB Local binds every interface: probe those, not only loopback.
          s.listen(0, () => ok(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    return typeof a === 'object' && a ? a.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = createServer();
    s.once('error', () => ok(false));
    s.listen(port, () => s.close(() => ok(true)));
  });
}

/** The pids of every live descendant of `root` (from /proc: this test runs on Linux). */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command may contain spaces and parentheses: the fields after the last ')' are fixed.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, ppid] of parent) {
      if (ppid === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie is dead for our purposes (its parent has not reaped it yet).
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
}

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export interface NpmStart {
  child: ChildProcess;
  ports: Record<(typeof PORT_NAMES)[number], number>;
  /** Wall time from spawning `npm` to the READY line. */
  readyMs: number;
  stack: StackFile;
  /** Every process in the tree when it became ready: npm, sh, tsx, node, the JVM, cognito-local, esbuild. */
  tree: number[];
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  target: AmplifyNodeTarget;
  pool: CognitoPoolRef;
  /** Kills whatever of the tree is still alive (test cleanup; never throws). */
  destroy(): void;
}

export async function startNpm(opts: {
  dataDir: string;
  ports?: NpmStart['ports'];
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}): Promise<NpmStart> {
  const ports =
    opts.ports ??
    (Object.fromEntries((await freePorts(PORT_NAMES.length)).map((p, i) => [PORT_NAMES[i], p])) as NpmStart['ports']);
  const env: Record<string, string | undefined> = {
    ...process.env,
    EV_DATA_DIR: opts.dataDir,
    ...Object.fromEntries(PORT_NAMES.map((n) => [`EV_PORT_${n}`, String(ports[n])])),
    ...opts.env,
  };
  // vitest's own variables would leak into the child's Node; it is a plain `npm start`.
  delete env.VITEST;
  delete env.NODE_OPTIONS;
  const t0 = Date.now();
  const child = spawn('npm', ['start'], { cwd: REPO_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    child.once('exit', (code, signal) => ok({ code, signal })),
  );
  let tree: number[] = [];
  const destroy = () => {
    for (const pid of [child.pid ?? 0, ...tree, ...(child.pid ? descendants(child.pid) : [])]) {
      if (pid > 0 && alive(pid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  };
  try {
    let gone = false;
    void exited.then(() => {
      gone = true;
    });
    await waitUntil(
      'the READY line',
      () => {
        if (gone) throw new Error(`npm start exited before READY:\n${out}`);
        return /^READY$/m.test(out);
      },
      opts.readyTimeoutMs ?? 90_000,
    );
  } catch (e) {
    destroy();
    throw e;
  }
  const readyMs = Date.now() - t0;
  const stack = StackFileSchema.parse(JSON.parse(readFileSync(stackFilePath(opts.dataDir), 'utf8')));
  tree = child.pid ? [child.pid, ...descendants(child.pid)] : [];
  return {
    child,
    ports,
    readyMs,
    stack,
    tree,
    output: () => out,
    exited,
    target: {
      cognitoEndpoint: stack.urls.cognito,
      userPoolId: stack.urls.userPoolId,
      clientId: stack.urls.clientId,
      graphqlUrl: stack.urls.graphql,
      region: 'ap-northeast-1',
    },
    pool: {
      endpoint: stack.urls.cognito,
      userPoolId: stack.urls.userPoolId,
      dataDir: resolve(opts.dataDir, 'cognito'),
    },
    destroy,
  };
}

/** `npm run status` as a person types it, against the same data directory. */
export function npmStatus(dataDir: string, json = false): Promise<{ code: number | null; stdout: string }> {
  const env: Record<string, string | undefined> = { ...process.env, EV_DATA_DIR: dataDir };
  delete env.VITEST;
  delete env.NODE_OPTIONS;
  const child = spawn('npm', ['run', '--silent', 'status', ...(json ? ['--', '--json'] : [])], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((ok) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      ok({ code, stdout });
    }),
  );
}
