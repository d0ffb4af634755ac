/**
 * `npm run status`: is the local platform up, which parts answer, how many stations are online and
 * how many sessions are in each state. Reads .data/stack.json (written by `npm start` when ready) and
 * asks each part directly. Exit code 0 when everything answers, 1 otherwise. `--json` for scripts.
 */

import { connect } from 'node:net';
import { DynamoDBClient, ScanCommand, type ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { tableNames } from '../../functions/src/adapters/dynamodb/tables.js';
import { loadLocalConfig } from './stack/local-config.js';
import { loadLocalSecrets } from './stack/local-secrets.js';
import { processAlive, readStackFile, type StackFile, stackFilePath } from './stack/stack-file.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const PARTS: [keyof StackFile['urls'], string][] = [
  ['web', 'web app'],
  ['graphql', 'GraphQL API'],
  ['cognito', 'Cognito (cognito-local)'],
  ['stripe', 'Stripe emulator'],
  ['webhook', 'Stripe webhook endpoint'],
  ['mqtt', 'MQTT broker'],
  ['mqttWs', 'MQTT over WebSocket'],
  ['iotData', 'IoT data-plane shim'],
  ['dynamodb', 'DynamoDB Local'],
];
/** A local status read is a handful of small scans; the bound only stops a runaway loop. */
const MAX_PAGES = 100;
// DynamoDB Local runs with a shared database: the region only has to be well-formed.
const REGION = 'ap-northeast-1';

interface StatusReport {
  running: boolean;
  message?: string;
  pid?: number;
  startedAt?: string;
  readyInMs?: number;
  parts: { name: string; url: string; up: boolean }[];
  children: { name: string; pid: number; alive: boolean }[];
  stations?: { registered: number; online: number; inSession: number };
  sessions?: Record<string, number>;
}

/** A TCP connect is enough to tell "answering" from "gone" for HTTP, WebSocket and MQTT alike. */
function listening(url: string, timeoutMs = 1_000): Promise<boolean> {
  const u = new URL(url);
  const port = Number(u.port || (u.protocol === 'https:' || u.protocol === 'wss:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function scanAll(
  db: DynamoDBClient,
  table: string,
  projection: string,
  names?: Record<string, string>,
): Promise<NonNullable<ScanCommandOutput['Items']>> {
  const items: NonNullable<ScanCommandOutput['Items']> = [];
  let start: ScanCommandOutput['LastEvaluatedKey'];
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await db.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: projection,
        ...(names ? { ExpressionAttributeNames: names } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
    if (!start) break;
  }
  return items;
}

async function readStore(dataDir: string, endpoint: string): Promise<Pick<StatusReport, 'stations' | 'sessions'>> {
  const { iam } = loadLocalSecrets(dataDir);
  const db = new DynamoDBClient({ endpoint, region: REGION, credentials: iam, maxAttempts: 2 });
  try {
    const tables = tableNames('ev-');
    const stations = await scanAll(db, tables.stations, '#id, #online, #active', {
      '#id': 'id',
      '#online': 'online',
      '#active': 'activeSessionId',
    });
    const sessions = await scanAll(db, tables.sessions, '#s', { '#s': 'state' });
    const byState: Record<string, number> = {};
    for (const s of sessions) {
      const state = s.state?.S ?? '?';
      byState[state] = (byState[state] ?? 0) + 1;
    }
    return {
      stations: {
        registered: stations.length,
        online: stations.filter((s) => s.online?.BOOL === true).length,
        inSession: stations.filter((s) => s.activeSessionId?.S !== undefined).length,
      },
      sessions: byState,
    };
  } finally {
    db.destroy();
  }
}

async function localStatus(dataDir: string): Promise<StatusReport> {
  const stack = readStackFile(dataDir);
  if (!stack) {
    return {
      running: false,
      message: `the local platform is not running (no ${stackFilePath(dataDir)}). Start it: npm start`,
      parts: [],
      children: [],
    };
  }
  if (!processAlive(stack.pid)) {
    return {
      running: false,
      message:
        `the local platform is not running: ${stackFilePath(dataDir)} is left from pid ${stack.pid}, ` +
        'which has ended without stopping cleanly. `npm start` cleans up after it and resumes.',
      parts: [],
      children: [],
    };
  }
  const parts = await Promise.all(
    PARTS.flatMap(([key, name]) => {
      const url = stack.urls[key];
      // In Stripe test mode the "url" is a description, not a local server.
      return url && /^[a-z]+:\/\/127\.0\.0\.1:\d+/.test(url) ? [listening(url).then((up) => ({ name, url, up }))] : [];
    }),
  );
  const children = Object.entries(stack.children).map(([name, pid]) => ({ name, pid, alive: processAlive(pid) }));
  const report: StatusReport = {
    running: parts.every((p) => p.up) && children.every((c) => c.alive),
    pid: stack.pid,
    startedAt: stack.startedAt,
    readyInMs: stack.readyInMs,
    parts,
    children,
  };
  if (parts.find((p) => p.name === 'DynamoDB Local')?.up) {
    try {
      Object.assign(report, await readStore(dataDir, stack.urls.dynamodb));
    } catch (e) {
      report.running = false;
      report.message = `DynamoDB Local answers but could not be read: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  if (!report.running) report.message ??= 'some parts of the local platform are not answering (see ✗ above)';
  return report;
}

function formatStatus(r: StatusReport): string {
  if (r.parts.length === 0) return `✗ ${r.message ?? 'not running'}`;
  const lines = [
    `ev-charge local platform — ${r.running ? 'up' : 'DEGRADED'} (pid ${r.pid}, started ${r.startedAt}, ` +
      `ready in ${((r.readyInMs ?? 0) / 1000).toFixed(1)} s)`,
    ...r.parts.map((p) => `  ${p.up ? '✓' : '✗'} ${p.name.padEnd(26)} ${p.url}`),
    ...r.children.map((c) => `  ${c.alive ? '✓' : '✗'} ${`${c.name} process`.padEnd(26)} pid ${c.pid}`),
  ];
  if (r.stations) {
    lines.push(
      `Stations: ${r.stations.online} of ${r.stations.registered} online, ${r.stations.inSession} in a session`,
    );
  }
  if (r.sessions) {
    const entries = Object.entries(r.sessions).sort(([a], [b]) => a.localeCompare(b));
    const total = entries.reduce((n, [, c]) => n + c, 0);
    lines.push(`Sessions: ${total}${total ? ` — ${entries.map(([s, c]) => `${s} ${c}`).join(', ')}` : ''}`);
  }
  if (r.message) lines.push(`✗ ${r.message}`);
  return lines.join('\n');
}

const Args = z.object({ json: z.boolean() });

async function main(): Promise<void> {
  const args = Args.parse({ json: process.argv.includes('--json') });
  const cfg = loadLocalConfig();
  const report = await localStatus(cfg.dataDir);
  process.stdout.write(`${args.json ? JSON.stringify(report) : formatStatus(report)}\n`);
  process.exitCode = report.running ? 0 : 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`✗ npm run status failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
