import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { ensureUserPool } from './cognito-bootstrap.js';

export interface LocalCognitoOptions {
  /** 0 or absent: a free loopback port is picked at start. */
  port?: number;
  /** cognito-local keeps `.cognito/config.json` and `.cognito/db/*.json` under this directory. */
  dataDir: string;
  /** Where cognito-local sends Lambda Invoke calls for triggers (see startLambdaInvokeShim). */
  lambdaInvokeEndpoint?: string;
  /** Function name the PostConfirmation trigger invokes; only used with lambdaInvokeEndpoint. */
  postConfirmationFunction?: string;
}

export interface LocalCognito {
  endpoint: string;
  userPoolId: string;
  clientId: string;
  issuer: string;
  jwksUrl: string;
  /** Absolute; readConfirmationCode needs it. */
  dataDir: string;
  /** The cognito-local child process (for `npm run status` and leftover checks). */
  pid: number;
  stop(): Promise<void>;
}

export const DEFAULT_POST_CONFIRMATION_FUNCTION = 'post-confirmation';
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
const PORT_ATTEMPTS = 3;

const require = createRequire(import.meta.url);
/** cognito-local's output, appended in its data directory (where the e-mails it would send are printed). */
export const COGNITO_LOG_FILE = 'cognito-local.log';

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('no port assigned'))));
    });
  });
}

function cognitoConfig(port: number, opts: LocalCognitoOptions): Record<string, unknown> {
  const triggers = opts.lambdaInvokeEndpoint
    ? { PostConfirmation: opts.postConfirmationFunction ?? DEFAULT_POST_CONFIRMATION_FUNCTION }
    : {};
  return {
    LambdaClient: {
      ...(opts.lambdaInvokeEndpoint ? { endpoint: opts.lambdaInvokeEndpoint } : {}),
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      // Cognito gives a trigger 5 s
      httpOptions: { timeout: 5_000 },
    },
    TriggerFunctions: triggers,
    TokenConfig: { IssuerDomain: `http://127.0.0.1:${port}` },
    UserPoolDefaults: { UsernameAttributes: ['email'] },
    ServerConfig: { hostname: '127.0.0.1', port },
  };
}

/** Resolves once cognito-local prints its banner; rejects with its log tail if it exits first. */
function launch(dataDir: string, port: number): Promise<ChildProcess> {
  const bin = require.resolve('cognito-local/lib/bin/start.js');
  // The IPC channel closes when this process dies, so cognito-local never outlives its parent.
  const child = spawn(
    process.execPath,
    ['-e', "process.on('disconnect',()=>process.exit(0));require(process.argv[1])", bin],
    {
      cwd: dataDir,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DEBUG: '', NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  const log = createWriteStream(join(dataDir, COGNITO_LOG_FILE), { flags: 'a' });
  let tail = '';
  return new Promise((resolveChild, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cognito-local did not start within ${START_TIMEOUT_MS} ms: ${tail}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      log.write(chunk);
      tail = `${tail}${chunk.toString('utf8')}`.slice(-2_000);
      if (tail.includes('Cognito Local running on')) {
        clearTimeout(timer);
        resolveChild(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      log.end();
      reject(new Error(`cognito-local exited (${code}) during start: ${tail}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Runs npm `cognito-local` as a child process with one user pool and app client, created on first
 * start and reused afterwards (ids kept in dataDir). Tokens it issues are signed with cognito-local's
 * bundled key; the issuer is `http://127.0.0.1:PORT/<poolId>`, so it changes when the port does.
 */
export async function startLocalCognito(opts: LocalCognitoOptions): Promise<LocalCognito> {
  const dataDir = resolve(opts.dataDir);
  await mkdir(join(dataDir, '.cognito'), { recursive: true });
  let child: ChildProcess | undefined;
  let port = 0;
  let lastError: unknown;
  // A port picked free can be taken before cognito-local binds it: try a few.
  for (let attempt = 0; attempt < PORT_ATTEMPTS && !child; attempt++) {
    port = opts.port || (await freeLoopbackPort());
    await writeFile(join(dataDir, '.cognito', 'config.json'), JSON.stringify(cognitoConfig(port, opts), null, 2));
    try {
      child = await launch(dataDir, port);
    } catch (error) {
      lastError = error;
      if (opts.port) break;
    }
  }
  if (!child) throw lastError instanceof Error ? lastError : new Error('cognito-local failed to start');
  const running = child;
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    const ids = await ensureUserPool(endpoint, dataDir);
    const issuer = `${endpoint}/${ids.userPoolId}`;
    return {
      endpoint,
      ...ids,
      issuer,
      jwksUrl: `${issuer}/.well-known/jwks.json`,
      dataDir,
      pid: running.pid ?? 0,
      stop: () => stopChild(running),
    };
  } catch (error) {
    await stopChild(running);
    throw error;
  }
}
