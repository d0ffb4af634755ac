/**
 * Who may touch what — the least-privilege matrix every grant in the stack is derived from, so a
 * reviewer can read each function's reach in one line.
 */
import type { HandlerName, TableKey } from './shared-defs.js';

export type TableAccess = 'read' | 'readWrite';

export interface FunctionAccess {
  tables: Partial<Record<TableKey, TableAccess>>;
  /** Reads the Stripe API key from Secrets Manager at cold start. */
  stripe: boolean;
  /** Reads the webhook signing secret(s). */
  stripeWebhook?: boolean;
  /** Calls the IAM-only publish mutations that feed the subscriptions. */
  publishes: boolean;
  /** Publishes breaker commands on `ev/v1/st/<id>/cmd`. */
  commandsStations: boolean;
  /** How it is invoked: async invocations get retries bounded and an on-failure queue. */
  invocation: 'appsync' | 'url' | 'iot-rule' | 'sqs' | 'schedule' | 'cognito';
  concurrency?: 'charging' | 'webhook' | 'stationEvents';
  timeoutSec: number;
  memoryMb: number;
}

const ALL_RW = {
  sessions: 'readWrite',
  drivers: 'readWrite',
  stations: 'readWrite',
  processedEvents: 'readWrite',
} as const;

export const FUNCTION_ACCESS: Record<HandlerName, FunctionAccess> = {
  'start-charge': {
    tables: { sessions: 'readWrite', drivers: 'readWrite', stations: 'read', processedEvents: 'readWrite' },
    stripe: true,
    publishes: true,
    commandsStations: true,
    invocation: 'appsync',
    concurrency: 'charging',
    timeoutSec: 10,
    memoryMb: 512,
  },
  'stop-charge': {
    tables: { sessions: 'readWrite', drivers: 'readWrite', stations: 'read', processedEvents: 'readWrite' },
    stripe: true,
    publishes: true,
    commandsStations: true,
    invocation: 'appsync',
    concurrency: 'charging',
    timeoutSec: 10,
    memoryMb: 512,
  },
  'pay-outstanding': {
    tables: { sessions: 'read', drivers: 'readWrite' },
    stripe: true,
    publishes: false,
    commandsStations: false,
    invocation: 'appsync',
    concurrency: 'charging',
    timeoutSec: 10,
    memoryMb: 512,
  },
  queries: {
    // anomalies: operators list them and mark each reviewed (the one write this function makes).
    tables: { sessions: 'read', drivers: 'read', stations: 'read', anomalies: 'readWrite' },
    stripe: false,
    publishes: false,
    commandsStations: false,
    invocation: 'appsync',
    timeoutSec: 10,
    memoryMb: 512,
  },
  'stripe-webhook': {
    tables: ALL_RW,
    stripe: true,
    stripeWebhook: true,
    publishes: true,
    commandsStations: true,
    invocation: 'url',
    concurrency: 'webhook',
    timeoutSec: 15,
    memoryMb: 512,
  },
  'station-events': {
    tables: ALL_RW,
    stripe: true,
    publishes: true,
    commandsStations: true,
    invocation: 'iot-rule',
    concurrency: 'stationEvents',
    timeoutSec: 15,
    memoryMb: 512,
  },
  'meter-batch': {
    tables: { sessions: 'readWrite', stations: 'readWrite' },
    stripe: false,
    publishes: true,
    commandsStations: false,
    invocation: 'sqs',
    timeoutSec: 30,
    memoryMb: 512,
  },
  'post-confirmation': {
    tables: { drivers: 'readWrite' },
    stripe: true,
    publishes: false,
    commandsStations: false,
    invocation: 'cognito',
    // Cognito waits 5 s for a trigger and retries; a longer timeout would only run on after it gave up.
    timeoutSec: 5,
    memoryMb: 1024,
  },
  sweeper: {
    // redriveTries: the watchdog's durable count of tries per stuck step.
    tables: { ...ALL_RW, redriveTries: 'readWrite' },
    stripe: true,
    publishes: true,
    commandsStations: true,
    invocation: 'schedule',
    timeoutSec: 60,
    memoryMb: 512,
  },
  reconcile: {
    // Reads what we recorded and what Stripe holds; writes only its findings. Repairs nothing.
    tables: { sessions: 'read', stations: 'read', anomalies: 'readWrite' },
    stripe: true,
    publishes: false,
    commandsStations: false,
    invocation: 'schedule',
    // A week of PaymentIntents, paged 100 at a time, plus every session state: minutes at worst.
    timeoutSec: 300,
    memoryMb: 1024,
  },
};
