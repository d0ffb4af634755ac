/**
 * Clear failures before anything starts: Java missing, a port in use, a data directory from an older
 * schema. Each message says what to do, instead of a stack trace from deep inside a child process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { LocalConfig } from './local-config.js';

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

export async function preflight(cfg: LocalConfig): Promise<void> {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) {
    throw new PreflightError(
      'Java 17+ is needed for DynamoDB Local and was not found.\n' +
        '  Install it:  sudo apt-get install -y default-jre-headless   (or run: bash .ci/setup)',
    );
  }
  for (const [name, what] of Object.entries(PORT_VARS) as [keyof typeof PORT_VARS, string][]) {
    const port = cfg[name];
    if (cfg.EV_STRIPE === 'real' && name === 'EV_PORT_STRIPE') continue;
    if (cfg.EV_WEB === 'off' && name === 'EV_PORT_WEB') continue;
    if (port !== 0 && !(await portFree(cfg.EV_HOST, port))) {
      throw new PreflightError(
        `Port ${port} (${what}) is already in use — is another \`npm start\` running?\n` +
          `  Stop whatever holds it, or choose another port:  ${name}=<free port> npm start`,
      );
    }
  }
  checkDataVersion(cfg.dataDir);
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
