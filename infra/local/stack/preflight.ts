/**
 * Clear failures before anything starts: Java missing, a port in use, a data directory from an older
 * schema. Each message says what to do, instead of a stack trace from deep inside a child process.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { JAVA_INSTALL_HINT } from '../dynamodb/dynamodb-local.js';
import { cleanUpStale } from '../dynamodb/stale-process.js';
import type { LocalConfig } from './local-config.js';
import { dynamoDbPidFile } from './stack-dynamodb.js';
import { processAlive, readStackFile, removeStackFile } from './stack-file.js';

/** Bump when the shape of anything under .data/ changes incompatibly. */
export const DATA_VERSION = 1;

export class PreflightError extends Error {
  override readonly name = 'PreflightError';
}

export const PORT_VARS = {
  EV_PORT_WEB: 'web app',
  EV_PORT_APPSYNC: 'GraphQL API',
  EV_PORT_WEBHOOK: 'Stripe webhook endpoint',
  EV_PORT_COGNITO: 'cognito-local',
  EV_PORT_LAMBDA: 'Lambda-Invoke shim',
  EV_PORT_DYNAMODB: 'DynamoDB Local',
  EV_PORT_MQTT: 'MQTT broker',
  EV_PORT_MQTT_WS: 'MQTT over WebSocket',
  EV_PORT_IOT_DATA: 'IoT data-plane shim',
  EV_PORT_STRIPE: 'Stripe emulator',
} as const satisfies Partial<Record<keyof LocalConfig, string>>;

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** `java` on PATH. A lookup, not `java -version`: starting a JVM just to ask costs a second or more. */
function javaFound(): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir || '.', 'java'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The probes preflight uses; tests swap them for fakes. */
export interface PreflightProbes {
  javaFound(): boolean;
  portFree(host: string, port: number): Promise<boolean>;
  /** Ends a DynamoDB Local JVM an earlier, killed run left behind (pid file); returns its pid. */
  cleanUpStaleJvm(pidFile: string): Promise<number | undefined>;
  processAlive(pid: number): boolean;
}

export const realProbes: PreflightProbes = { javaFound, portFree, cleanUpStaleJvm: cleanUpStale, processAlive };

/**
 * Runs before anything starts. Returns notes for the person (e.g. what an earlier, killed run left
 * behind and was cleaned up); throws PreflightError with what to do when the stack cannot start.
 */
export async function preflight(cfg: LocalConfig, probes: PreflightProbes = realProbes): Promise<string[]> {
  const notes: string[] = [];
  if (!probes.javaFound()) {
    throw new PreflightError(
      'Java 17+ is needed for DynamoDB Local and was not found.\n' +
        `  Install it:  sudo ${JAVA_INSTALL_HINT}   (or run: bash .ci/setup)`,
    );
  }
  checkDataVersion(cfg.dataDir);
  notes.push(...(await recoverFromKilledRun(cfg.dataDir, probes)));
  for (const [name, what] of Object.entries(PORT_VARS) as [keyof typeof PORT_VARS, string][]) {
    const port = cfg[name];
    if (cfg.EV_STRIPE === 'real' && name === 'EV_PORT_STRIPE') continue;
    if (cfg.EV_WEB === 'off' && name === 'EV_PORT_WEB') continue;
    if (port !== 0 && !(await probes.portFree(cfg.EV_HOST, port))) {
      throw new PreflightError(
        `Port ${port} (${what}) is already in use — is another \`npm start\` running?\n` +
          `  Stop whatever holds it, or choose another port:  ${name}=<free port> npm start`,
      );
    }
  }
  return notes;
}

/**
 * One data directory, one running stack. A stack.json whose process is gone means the last run was
 * killed: its DynamoDB Local JVM may still hold the port and the database files, so it is ended here,
 * before the port checks (cognito-local ends by itself when its parent dies: its IPC channel closes).
 */
async function recoverFromKilledRun(dataDir: string, probes: PreflightProbes): Promise<string[]> {
  const notes: string[] = [];
  let previous: ReturnType<typeof readStackFile>;
  try {
    previous = readStackFile(dataDir);
  } catch {
    previous = undefined;
  }
  if (previous && probes.processAlive(previous.pid)) {
    throw new PreflightError(
      `\`npm start\` is already running with ${dataDir} (pid ${previous.pid}).\n` +
        '  Use that one (npm run status), stop it with Ctrl-C in its terminal, or give this one its own data:' +
        '  EV_DATA_DIR=<dir> npm start',
    );
  }
  if (previous) {
    notes.push(`the previous run (pid ${previous.pid}) did not stop cleanly; cleaning up after it`);
    removeStackFile(dataDir);
  }
  const jvm = await probes.cleanUpStaleJvm(dynamoDbPidFile(dataDir));
  if (jvm !== undefined) notes.push(`ended DynamoDB Local left running by an earlier run (pid ${jvm})`);
  return notes;
}

export function checkDataVersion(dataDir: string): void {
  const file = join(dataDir, 'VERSION');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${DATA_VERSION}\n`);
    return;
  }
  const found = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  if (found !== DATA_VERSION) {
    throw new PreflightError(
      `${dataDir} holds data in format ${Number.isNaN(found) ? '?' : found}; this version uses ${DATA_VERSION}.\n` +
        `  Keep it aside:  mv ${dataDir} ${dataDir}.old     or start afresh:  rm -rf ${dataDir}`,
    );
  }
}
