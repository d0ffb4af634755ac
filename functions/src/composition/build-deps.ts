/**
 * The composition root: the only place that knows which adapter stands behind each port. Built once
 * per cold start (cloud) or once per process (local stack); every handler takes what it needs from it.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IoTDataPlaneClient } from '@aws-sdk/client-iot-data-plane';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppSyncIamClient } from '../adapters/appsync/appsync-iam-client.js';
import { AppSyncLivePublisher } from '../adapters/appsync/appsync-live-publisher.js';
import { CognitoIdentityDirectory } from '../adapters/cognito/cognito-identity-directory.js';
import { DynamoDbAnomalyRepository } from '../adapters/dynamodb/dynamodb-anomaly-repository.js';
import { DynamoDbRedriveTries } from '../adapters/dynamodb/dynamodb-redrive-tries.js';
import { documentClient, makeDynamoDbRepositories } from '../adapters/dynamodb/dynamodb-repositories.js';
import { IotBreakerControl } from '../adapters/iot/iot-breaker-control.js';
import { MemoryAnomalyRepository } from '../adapters/memory/memory-anomaly-repository.js';
import { MemoryRedriveTries } from '../adapters/memory/memory-redrive-tries.js';
import { SnsAlerts } from '../adapters/sns/sns-alerts.js';
import { createStripeClient } from '../adapters/stripe/stripe-client.js';
import { StripePaymentEvents } from '../adapters/stripe/stripe-payment-events.js';
import { StripePaymentGateway } from '../adapters/stripe/stripe-payment-gateway.js';
import { CryptoIdGenerator } from '../adapters/system/crypto-id-generator.js';
import { LogAlerts } from '../adapters/system/log-alerts.js';
import { PinoLogger } from '../adapters/system/pino-logger.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import type { Config } from '../config.js';
import type { Alerts } from '../ports/alerts.port.js';
import type { AnomalyRepository } from '../ports/anomaly-repository.port.js';
import type { Logger } from '../ports/logger.port.js';
import type { PaymentEvents } from '../ports/payment-events.port.js';
import { DEFAULT_USE_CASE_CONFIG, type UseCaseDeps } from '../use-cases/deps.js';
import { makeUseCases, type UseCases } from '../use-cases/index.js';
import { makeOperatorUseCases, type OperatorUseCases } from '../use-cases/operator-use-cases.js';
import { makeReconcile, type Reconcile } from '../use-cases/reconcile.js';
import { makeRegisterDriver, type RegisterDriver } from '../use-cases/register-driver.js';
import { makeStationPresence } from '../use-cases/station-presence.js';
import { LazyLivePublisher, LazyPaymentGateway, once } from './lazy-ports.js';
import { makeApplyPaymentEvent } from './payment-apply.js';
import { makeStationSink } from './station-sink.js';

export interface AppDeps {
  config: Config;
  ports: UseCaseDeps;
  useCases: UseCases;
  /** Built on first use (reads the webhook secret): only the webhook function needs it. */
  paymentEvents: () => Promise<PaymentEvents>;
  stationSink: ReturnType<typeof makeStationSink>;
  logger: Logger;
  alerts: Alerts;
  registerDriver: RegisterDriver;
  applyPaymentEvent: ReturnType<typeof makeApplyPaymentEvent>;
  /** Operator-only reads (the GraphQL edge checks the `operators` group); alerts come from LogAlerts' list. */
  operator: OperatorUseCases;
  /** The DynamoDB client the default DocumentClient sends through (see StoreWiring for the local wire). */
  storeClient: DynamoDBClient;
  /** Reconciliation's findings (operator view) and the run itself (scheduled, and `npm run reconcile`). */
  anomalies: AnomalyRepository;
  reconcile: Reconcile;
}

/** Read once per cold start, kept in memory only, never logged. */
async function secretString(id: string, region: string): Promise<string> {
  const sm = new SecretsManagerClient({ region });
  try {
    const out = await sm.send(new GetSecretValueCommand({ SecretId: id }));
    if (!out.SecretString) throw new Error(`secret ${id} is empty`);
    return out.SecretString.trim();
  } finally {
    sm.destroy();
  }
}

async function stripeSecretKey(config: Config): Promise<string> {
  if (config.STRIPE_SECRET_KEY) return config.STRIPE_SECRET_KEY;
  if (!config.STRIPE_SECRET_ID) throw new Error('no Stripe key: set STRIPE_SECRET_KEY or STRIPE_SECRET_ID');
  return secretString(config.STRIPE_SECRET_ID, config.AWS_REGION);
}

async function webhookSecrets(config: Config): Promise<string[]> {
  if (config.STRIPE_WEBHOOK_SECRETS?.length) return config.STRIPE_WEBHOOK_SECRETS;
  if (!config.STRIPE_WEBHOOK_SECRET_ID) return [];
  const raw = await secretString(config.STRIPE_WEBHOOK_SECRET_ID, config.AWS_REGION);
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The re-drive knobs the configuration sets (seconds there, ms in the use-cases). */
function redrivePacing(config: Config): Partial<UseCaseDeps['config']> {
  const ms = (sec: number | undefined) => (sec === undefined ? undefined : Math.round(sec * 1000));
  const paced = {
    startResendAfterMs: ms(config.START_RESEND_SEC),
    stopResendAfterMs: ms(config.STOP_RESEND_SEC),
    paymentRedriveAfterMs: ms(config.PAYMENT_REDRIVE_SEC),
    redriveEscalateAfter: config.REDRIVE_ESCALATE_AFTER,
  };
  return Object.fromEntries(Object.entries(paced).filter(([, v]) => v !== undefined));
}

/** How the composition reaches its store and stations; the cloud takes the defaults. */
export interface Wiring {
  /**
   * The DocumentClient every repository sends through. Default: the SDK's, over `storeClient`. The
   * local stack passes its direct wire to DynamoDB Local (infra/local/dynamodb/direct-wire.ts).
   */
  documentClient?: (ddb: DynamoDBClient) => DynamoDBDocumentClient;
  /** The IoT data-plane client breaker commands go through. Default: the SDK's. The local stack passes its direct wire. */
  iotData?: () => Pick<IoTDataPlaneClient, 'send'>;
}

export async function buildDeps(
  config: Config,
  overrides: Partial<UseCaseDeps> = {},
  wiring: Wiring = {},
): Promise<AppDeps> {
  const region = config.AWS_REGION;
  const logger = overrides.logger ?? new PinoLogger({ level: config.LOG_LEVEL, name: 'ev-charge' });
  const ddb = new DynamoDBClient({
    region,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  });
  const docClient = wiring.documentClient ?? documentClient;
  const repos = makeDynamoDbRepositories(docClient(ddb), {
    sessions: config.TABLE_SESSIONS,
    drivers: config.TABLE_DRIVERS,
    stations: config.TABLE_STATIONS,
    processedEvents: config.TABLE_EVENTS,
  });
  const payments = new LazyPaymentGateway(
    once(
      async () =>
        new StripePaymentGateway(
          createStripeClient({ secretKey: await stripeSecretKey(config), apiBase: config.STRIPE_API_BASE }),
        ),
    ),
  );
  const iot =
    wiring.iotData?.() ??
    new IoTDataPlaneClient({
      region,
      ...(config.IOT_DATA_ENDPOINT ? { endpoint: config.IOT_DATA_ENDPOINT } : {}),
    });
  const live = new LazyLivePublisher(
    once(async () => {
      const endpoint = config.APPSYNC_GRAPHQL_URL;
      if (!endpoint) throw new Error('APPSYNC_GRAPHQL_URL is required to publish live updates');
      // The same default credential chain the AWS SDK clients use (the Lambda role in the cloud).
      return new AppSyncLivePublisher(
        new AppSyncIamClient({ endpoint, region, credentials: () => ddb.config.credentials() }),
      );
    }),
  );
  const logAlerts = new LogAlerts(logger);
  // In the cloud every alert is also published to the operators' SNS topic.
  const alerts =
    overrides.alerts ??
    (config.ALERTS_TOPIC_ARN
      ? new SnsAlerts({
          topicArn: config.ALERTS_TOPIC_ARN,
          region,
          credentials: () => ddb.config.credentials(),
          ...(config.SNS_ENDPOINT ? { endpoint: config.SNS_ENDPOINT } : {}),
          inner: logAlerts,
          logger,
        })
      : logAlerts);
  // Only the sweeper counts tries; a function without the table never re-drives anything.
  const redriveTries = config.TABLE_REDRIVE_TRIES
    ? new DynamoDbRedriveTries(docClient(ddb), { redriveTries: config.TABLE_REDRIVE_TRIES })
    : new MemoryRedriveTries();
  const anomalies = config.TABLE_ANOMALIES
    ? new DynamoDbAnomalyRepository(docClient(ddb), { anomalies: config.TABLE_ANOMALIES })
    : new MemoryAnomalyRepository();
  const ports: UseCaseDeps = {
    ...repos,
    payments,
    breaker: new IotBreakerControl(iot),
    live,
    clock: new SystemClock(),
    ids: new CryptoIdGenerator(),
    logger,
    alerts,
    redriveTries,
    config: {
      ...DEFAULT_USE_CASE_CONFIG,
      webBaseUrl: config.WEB_BASE_URL,
      ackTimeoutMs: config.ACK_TIMEOUT_SEC * 1000,
      ...redrivePacing(config),
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
  const directory = new CognitoIdentityDirectory(cognito);
  return {
    config,
    ports,
    registerDriver: makeRegisterDriver({ ...ports, directory }),
    applyPaymentEvent: makeApplyPaymentEvent(useCases, logger),
    operator: makeOperatorUseCases({ sessions: ports.sessions, alertsFeed: logAlerts, anomalies, clock: ports.clock }),
    useCases,
    paymentEvents: once(async () => new StripePaymentEvents(await webhookSecrets(config), { clock: ports.clock })),
    stationSink: makeStationSink({ useCases, presence, alerts, logger, stations: ports.stations }),
    logger,
    alerts,
    storeClient: ddb,
    anomalies,
    reconcile: makeReconcile({ ...ports, anomalies }),
  };
}
