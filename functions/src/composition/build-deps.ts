/**
 * The composition root: the only place that knows which adapter stands behind each port. Built once
 * per cold start (cloud) or once per process (local stack); every handler takes what it needs from it.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AppSyncIamClient } from '../adapters/appsync/appsync-iam-client.js';
import { AppSyncLivePublisher } from '../adapters/appsync/appsync-live-publisher.js';
import { CognitoIdentityDirectory } from '../adapters/cognito/cognito-identity-directory.js';
import { documentClient, makeDynamoDbRepositories } from '../adapters/dynamodb/dynamodb-repositories.js';
import { IotBreakerControl } from '../adapters/iot/iot-breaker-control.js';
import { createStripeClient } from '../adapters/stripe/stripe-client.js';
import { StripePaymentEvents } from '../adapters/stripe/stripe-payment-events.js';
import { StripePaymentGateway } from '../adapters/stripe/stripe-payment-gateway.js';
import { CryptoIdGenerator } from '../adapters/system/crypto-id-generator.js';
import { LogAlerts } from '../adapters/system/log-alerts.js';
import { PinoLogger } from '../adapters/system/pino-logger.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import type { Config } from '../config.js';
import type { Alerts } from '../ports/alerts.port.js';
import type { Logger } from '../ports/logger.port.js';
import type { PaymentEvents } from '../ports/payment-events.port.js';
import { DEFAULT_USE_CASE_CONFIG, type UseCaseDeps } from '../use-cases/deps.js';
import { makeUseCases, type UseCases } from '../use-cases/index.js';
import { makeRegisterDriver, type RegisterDriver } from '../use-cases/register-driver.js';
import { makeStationPresence } from '../use-cases/station-presence.js';
import { makeStationSink } from './station-sink.js';

export interface AppDeps {
  config: Config;
  ports: UseCaseDeps;
  useCases: UseCases;
  paymentEvents?: PaymentEvents;
  stationSink: ReturnType<typeof makeStationSink>;
  logger: Logger;
  alerts: Alerts;
  registerDriver: RegisterDriver;
}

async function stripeSecretKey(config: Config, region: string): Promise<string> {
  if (config.STRIPE_SECRET_KEY) return config.STRIPE_SECRET_KEY;
  // Read once per cold start and kept in memory only; never logged.
  const sm = new SecretsManagerClient({ region });
  const out = await sm.send(new GetSecretValueCommand({ SecretId: config.STRIPE_SECRET_ID }));
  if (!out.SecretString) throw new Error('the Stripe secret is empty');
  return out.SecretString.trim();
}

export async function buildDeps(config: Config, overrides: Partial<UseCaseDeps> = {}): Promise<AppDeps> {
  const region = config.AWS_REGION;
  const logger = overrides.logger ?? new PinoLogger({ level: config.LOG_LEVEL, name: 'ev-charge' });
  const ddb = new DynamoDBClient({
    region,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  });
  const repos = makeDynamoDbRepositories(documentClient(ddb), {
    sessions: config.TABLE_SESSIONS,
    drivers: config.TABLE_DRIVERS,
    stations: config.TABLE_STATIONS,
    processedEvents: config.TABLE_EVENTS,
  });
  const stripe = createStripeClient({
    secretKey: await stripeSecretKey(config, region),
    apiBase: config.STRIPE_API_BASE,
  });
  const iot = new IoTDataPlaneClient({
    region,
    ...(config.IOT_DATA_ENDPOINT ? { endpoint: config.IOT_DATA_ENDPOINT } : {}),
  });
  const appsyncUrl = config.APPSYNC_GRAPHQL_URL;
  if (!appsyncUrl) throw new Error('APPSYNC_GRAPHQL_URL is required to publish live updates');
  const live = new AppSyncLivePublisher(
    // The same default credential chain the AWS SDK clients use (the Lambda role in the cloud).
    new AppSyncIamClient({ endpoint: appsyncUrl, region, credentials: () => ddb.config.credentials() }),
  );
  const alerts = overrides.alerts ?? new LogAlerts(logger);
  const ports: UseCaseDeps = {
    ...repos,
    payments: new StripePaymentGateway(stripe),
    breaker: new IotBreakerControl(iot),
    live,
    clock: new SystemClock(),
    ids: new CryptoIdGenerator(),
    logger,
    alerts,
    config: {
      ...DEFAULT_USE_CASE_CONFIG,
      webBaseUrl: config.WEB_BASE_URL,
      ackTimeoutMs: config.ACK_TIMEOUT_SEC * 1000,
      livePublishIntervalMs: config.LIVE_PUBLISH_INTERVAL_SEC * 1000,
    },
    ...overrides,
  };
  const useCases = makeUseCases(ports);
  const presence = makeStationPresence({ stations: ports.stations, live: ports.live, clock: ports.clock });
  const cognito = new CognitoIdentityProviderClient({
    region,
    ...(config.COGNITO_ENDPOINT ? { endpoint: config.COGNITO_ENDPOINT } : {}),
  });
  const directory = new CognitoIdentityDirectory(cognito, config.COGNITO_USER_POOL_ID ?? '');
  return {
    config,
    ports,
    registerDriver: makeRegisterDriver({ ...ports, directory }),
    useCases,
    paymentEvents: config.STRIPE_WEBHOOK_SECRETS?.length
      ? new StripePaymentEvents(config.STRIPE_WEBHOOK_SECRETS, { clock: ports.clock })
      : undefined,
    stationSink: makeStationSink({ useCases, presence, alerts, logger }),
    logger,
    alerts,
  };
}
