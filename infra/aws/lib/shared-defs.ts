/**
 * Everything the CDK app shares with the handlers: handler entry names, the environment variable
 * names functions/src/config.ts parses, the DynamoDB table specs (imported from the adapters), the
 * IoT rule SQL (imported from contracts/), and the log lines the alarms count — one place to look.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IOT_RULE_SQL_VERSION, STATION_EVENTS_RULE, STATION_METER_RULE } from '../../../contracts/iot-rule.js';
import type { TableKey } from '../../../functions/src/adapters/dynamodb/tables.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const SCHEMA_PATH = join(REPO_ROOT, 'contracts/schema.graphql');
export const HANDLERS_DIR = join(REPO_ROOT, 'functions/src/handlers');

export const HANDLERS = [
  'start-charge',
  'stop-charge',
  'pay-outstanding',
  'queries',
  'stripe-webhook',
  'station-events',
  'meter-batch',
  'post-confirmation',
  'sweeper',
  'reconcile',
] as const;
export type HandlerName = (typeof HANDLERS)[number];

export function handlerEntry(name: HandlerName, dir: string = HANDLERS_DIR): string {
  return join(dir, `${name}.ts`);
}
export function missingHandlerEntries(dir: string = HANDLERS_DIR): HandlerName[] {
  return HANDLERS.filter((h) => !existsSync(handlerEntry(h, dir)));
}

/** Variable names as functions/src/config.ts reads them. */
export const ENV = {
  stage: 'STAGE',
  logLevel: 'LOG_LEVEL',
  stripeSecretId: 'STRIPE_SECRET_ID',
  /** Not yet in config.ts: the webhook signing secret(s), comma-separated, kept in Secrets Manager. */
  stripeWebhookSecretId: 'STRIPE_WEBHOOK_SECRET_ID',
  iotDataEndpoint: 'IOT_DATA_ENDPOINT',
  graphqlUrl: 'APPSYNC_GRAPHQL_URL',
  webBaseUrl: 'WEB_BASE_URL',
  /** The operators' SNS topic alerts are published to. */
  alertsTopicArn: 'ALERTS_TOPIC_ARN',
} as const;

export type { TableKey, TableSpec } from '../../../functions/src/adapters/dynamodb/tables.js';
export { TABLE_KEYS, TABLE_SPECS } from '../../../functions/src/adapters/dynamodb/tables.js';

/** The variable functions/src/config.ts reads each physical table name from. */
export const TABLE_ENV: Record<TableKey, string> = {
  sessions: 'TABLE_SESSIONS',
  drivers: 'TABLE_DRIVERS',
  stations: 'TABLE_STATIONS',
  processedEvents: 'TABLE_EVENTS',
  redriveTries: 'TABLE_REDRIVE_TRIES',
  anomalies: 'TABLE_ANOMALIES',
};

/** The station rules exactly as contracts/iot-rule.ts defines them (the local emulator runs the same). */
export const STATION_RULES = { events: STATION_EVENTS_RULE, meter: STATION_METER_RULE } as const;
export { IOT_RULE_SQL_VERSION };

/**
 * Presence (`$aws/events/presence/{connected|disconnected}/{clientId}`, published by IoT Core itself)
 * delivered in the same event shape as the station rules, to the same handler.
 */
export const PRESENCE_RULE = {
  name: 'ev_station_presence',
  sql: "SELECT encode(*, 'base64') AS payloadB64, topic() AS topic, clientid() AS clientId, timestamp() AS receivedAt FROM '$aws/events/presence/+/+'",
} as const;

/**
 * Log lines (pino JSON) that CloudWatch metric filters count — the shapes the handlers write today;
 * alerts come from functions/src/adapters/system/log-alerts.ts (`msg: "ALERT"`, `code`).
 */
export const LOG_METRICS = {
  namespace: 'EvCharge',
  operatorAlerts: { metric: 'OperatorAlerts', pattern: '{ $.msg = "ALERT" }' },
  /** handlers/stripe-webhook.ts logs every refused delivery (bad or missing signature, too old). */
  webhookSignatureFailures: { metric: 'WebhookSignatureFailures', pattern: '{ $.msg = "stripe webhook rejected" }' },
  /**
   * handlers/sweeper.ts logs one `sweep finished…` line per run with the count of each SweepReport
   * list. Sessions it had to move on were stuck in a transitional state; one filter per count, all
   * feeding the same metric, so the metric is their sum.
   */
  sessionsStuck: {
    metric: 'SessionsStuck',
    counts: ['failedToStart', 'resentClose', 'resentOpen', 'redrivenCharges'],
  },
  reconciliationAnomalies: { metric: 'ReconciliationAnomalies', counts: ['reconciled'] },
  sweepLine: (count: string) => `{ $.msg = "sweep finished*" && $.${count} >= 0 }`,
} as const;
