/**
 * `npm run reconcile`: one reconciliation run against the running local platform (the same use-case
 * the cloud schedules every 15 minutes). Finds the platform through .data/stack.json, reads its
 * DynamoDB Local and Stripe emulator, records new anomalies in its anomalies table (where the operator
 * view lists them) and prints the open ones as a table, then a JSON summary as the last line.
 * Exit code 0 = no open anomaly, 1 = open anomalies, 2 = could not run (platform not up).
 */
import { resolve } from 'node:path';
import { tableNames } from '../../functions/src/adapters/dynamodb/tables.js';
import { buildDeps } from '../../functions/src/composition/build-deps.js';
import type { Config } from '../../functions/src/config.js';
import type { RecordedAnomaly } from '../../functions/src/ports/anomaly-repository.port.js';
import type { LogFields, Logger } from '../../functions/src/ports/logger.port.js';
import { type LocalConfig, loadLocalConfig } from './stack/local-config.js';
import { loadLocalSecrets } from './stack/local-secrets.js';
import { tableConfig } from './stack/local-tables.js';
import { processAlive, readStackFile, stackFilePath } from './stack/stack-file.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REGION = 'ap-northeast-1';
/** Open anomalies printed (the summary counts them all up to this bound). */
const LIST_LIMIT = 500;
const DETAIL_WIDTH = 72;

export interface ReconcileSummary {
  ok: boolean;
  checkedSessions: number;
  checkedPaymentIntents: number;
  /** Found this run (recorded ones included) and, of those, first found now. */
  found: number;
  new: number;
  /** Not yet reviewed by an operator (from earlier runs too). */
  open: number;
  openByKind: Record<string, number>;
  error?: string;
}

/** Warnings and errors (an alert per new anomaly) as JSON lines on stderr: stdout stays the report. */
function stderrLogger(write: (line: string) => void): Logger {
  const at =
    (level: string) =>
    (msg: string, fields?: LogFields): void =>
      write(`${JSON.stringify({ level, msg, ...fields })}\n`);
  return { debug: () => {}, info: () => {}, warn: at('warn'), error: at('error') };
}

function handlerConfig(cfg: LocalConfig, urls: { dynamodb: string; stripe: string }): Config {
  const secrets = loadLocalSecrets(cfg.dataDir);
  // The same key pair the stack's own functions use (DynamoDB Local only needs well-formed ones).
  process.env.AWS_ACCESS_KEY_ID = secrets.iam.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = secrets.iam.secretAccessKey;
  const tables = tableNames('ev-');
  const emulator = /^https?:\/\/127\.0\.0\.1:\d+/.test(urls.stripe);
  return {
    STAGE: 'local',
    AWS_REGION: REGION,
    LOG_LEVEL: 'warn',
    ...tableConfig(tables),
    DYNAMODB_ENDPOINT: urls.dynamodb,
    STRIPE_SECRET_KEY: cfg.EV_STRIPE === 'real' ? cfg.STRIPE_SECRET_KEY : secrets.stripeKey,
    STRIPE_API_BASE: emulator ? urls.stripe : undefined,
    WEB_BASE_URL: 'http://127.0.0.1:5173',
    ACK_TIMEOUT_SEC: cfg.EV_ACK_TIMEOUT_SEC,
    PAYMENT_REDRIVE_SEC: cfg.EV_PAYMENT_REDRIVE_SEC,
    LIVE_PUBLISH_INTERVAL_SEC: 2,
  };
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function formatAnomalies(open: readonly RecordedAnomaly[]): string {
  if (open.length === 0) return 'No open anomalies.';
  const rows = open.map((a) => [a.kind, a.subject, a.foundAt, clip(a.detail, DETAIL_WIDTH)]);
  const head = ['KIND', 'SUBJECT', 'FOUND AT', 'DETAIL'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

/** One run; writes the report to `out` (and diagnostics to `err`) and returns the exit code. */
export async function runLocalReconcile(
  cfg: LocalConfig,
  io: { out: (text: string) => void; err: (text: string) => void },
): Promise<number> {
  const fail = (error: string): number => {
    const summary: ReconcileSummary = {
      ok: false,
      checkedSessions: 0,
      checkedPaymentIntents: 0,
      found: 0,
      new: 0,
      open: 0,
      openByKind: {},
      error,
    };
    io.out(`✗ ${error}\n${JSON.stringify(summary)}\n`);
    return 2;
  };
  const stack = readStackFile(cfg.dataDir);
  if (!stack) return fail(`the local platform is not running (no ${stackFilePath(cfg.dataDir)}). Start it: npm start`);
  if (!processAlive(stack.pid)) {
    return fail(`the local platform is not running: ${stackFilePath(cfg.dataDir)} is left from pid ${stack.pid}`);
  }
  const deps = await buildDeps(handlerConfig(cfg, stack.urls), { logger: stderrLogger(io.err) });
  try {
    const run = await deps.reconcile();
    const open = await deps.anomalies.list({ open: true, limit: LIST_LIMIT });
    const openByKind: Record<string, number> = {};
    for (const a of open) openByKind[a.kind] = (openByKind[a.kind] ?? 0) + 1;
    const summary: ReconcileSummary = {
      ok: open.length === 0,
      checkedSessions: run.checkedSessions,
      checkedPaymentIntents: run.checkedPaymentIntents,
      found: run.anomalies.length,
      new: run.newAnomalies.length,
      open: open.length,
      openByKind,
    };
    io.out(
      [
        `Reconciliation: ${run.checkedSessions} sessions and ${run.checkedPaymentIntents} PaymentIntents checked; ` +
          `${run.anomalies.length} anomalies found, ${run.newAnomalies.length} new.`,
        formatAnomalies(open),
        open.length > 0 ? 'Review them in the operator view (a note is required).' : '',
        JSON.stringify(summary),
      ]
        .filter(Boolean)
        .join('\n')
        .concat('\n'),
    );
    return open.length > 0 ? 1 : 0;
  } finally {
    deps.storeClient.destroy();
  }
}

async function main(): Promise<void> {
  process.exitCode = await runLocalReconcile(loadLocalConfig(), {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  main().catch((e: unknown) => {
    process.stderr.write(`✗ npm run reconcile failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
}
