/**
 * The whole platform on one machine: the same handlers as the cloud, behind local stand-ins that speak
 * the same protocols. Used by `npm start` and by the end-to-end tests (which pass port 0 everywhere).
 * Start order follows the dependencies; anything started is stopped on failure and on close().
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createTables, tableNames } from '../../../functions/src/adapters/dynamodb/tables.js';
import { type AppDeps, buildDeps } from '../../../functions/src/composition/build-deps.js';
import type { Config } from '../../../functions/src/config.js';
import { makeHandler as postConfirmation } from '../../../functions/src/handlers/post-confirmation.js';
import { makeHandler as stationEvents } from '../../../functions/src/handlers/station-events.js';
import { makeHandler as stripeWebhook } from '../../../functions/src/handlers/stripe-webhook.js';
import { type AppSyncResolver, startLocalAppSync } from '../appsync/index.js';
import { type CognitoPoolRef, startLambdaInvokeShim, startLocalCognito } from '../cognito/index.js';
import { type DirectWire, directDocumentClient } from '../dynamodb/direct-wire.js';
import type { DynamoDbLocal } from '../dynamodb/dynamodb-local.js';
import { localDynamoDbClient } from '../dynamodb/local-client.js';
import { dataPlaneWire } from '../iot/data-plane-wire.js';
import { type LocalIot, type LocalIotOptions, startLocalIot } from '../iot/local-iot.js';
import { startRuleEmulator } from '../iot/rule-emulator.js';
import { type StripeEmulator, startStripeEmulator } from '../stripe/index.js';
import { ensureDemoUsers } from './demo-users.js';
import { graphqlResolvers, quietLogger, SUBSCRIPTION_FILTERS } from './graphql-resolvers.js';
import type { LocalConfig } from './local-config.js';
import { type LocalSecrets, loadLocalSecrets } from './local-secrets.js';
import { tableConfig } from './local-tables.js';
import { type SimulatedStations, startSimulatedStations } from './simulated-stations.js';
import { startStackDynamoDb } from './stack-dynamodb.js';
import { registry, type SeedStation, toStation } from './station-registry.js';
import { startWebServer } from './web-server.js';
import { type FunctionUrlHandler, startFunctionUrl } from './webhook-server.js';

export const REGION = 'ap-northeast-1';
export const SCHEMA_PATH = resolve(import.meta.dirname, '../../../contracts/schema.graphql');
export const WEB_DIST = resolve(import.meta.dirname, '../../../web/dist');
export const BACKEND_MQTT_USER = 'backend';

export interface LocalStackUrls {
  web?: string;
  graphql: string;
  realtime: string;
  cognito: string;
  userPoolId: string;
  clientId: string;
  stripe: string;
  webhook: string;
  mqtt: string;
  mqttWs: string;
  iotData: string;
  dynamodb: string;
}

export interface LocalStack {
  urls: LocalStackUrls;
  deps: AppDeps;
  secrets: LocalSecrets;
  stations: SeedStation[];
  /** The simulated stations (tests take one offline to see what drivers see). */
  simulator: SimulatedStations;
  /** cognito-local's pool (for reading sign-up codes the way its log shows them). */
  cognitoPool: CognitoPoolRef;
  /** Child processes (name → pid): the DynamoDB Local JVM and cognito-local. */
  children: Record<string, number>;
  /** What each part reports for `npm run status`. */
  status(): Promise<Record<string, unknown>>;
  /** The Stripe emulator (absent with EV_STRIPE=real): the fault suite injects API and webhook faults. */
  stripe?: StripeEmulator;
  /** The repositories' direct wire to DynamoDB Local (absent with EV_DYNAMODB_WIRE=sdk): benchmarks observe its calls. */
  storeWire?: DirectWire;
  /**
   * Fault-suite switch: stops the MQTT broker (and its IoT shims) and starts a fresh one on the same
   * ports after `downMs`, as a broker crash would: persistent sessions and retained messages are lost.
   */
  restartBroker(opts?: { downMs?: number }): Promise<void>;
  /** Fault-suite switch: stops DynamoDB Local and starts it again on the same port and data files. */
  restartDynamoDb(opts?: { downMs?: number }): Promise<void>;
  close(): Promise<void>;
}

type Stop = () => Promise<unknown>;

export interface LocalStackOptions {
  /** DynamoDB Local already starting (npm start boots it first); the stack takes it over. */
  dynamodb?: Promise<DynamoDbLocal>;
}

export async function startLocalStack(
  cfg: LocalConfig,
  log: (line: string) => void = () => {},
  opts: LocalStackOptions = {},
): Promise<LocalStack> {
  const host = cfg.EV_HOST;
  const dataDir = cfg.dataDir;
  mkdirSync(dataDir, { recursive: true });
  const secrets = loadLocalSecrets(dataDir);
  // The AWS SDK clients (DynamoDB Local, the IoT data-plane shim, the AppSync publisher) sign with these.
  process.env.AWS_ACCESS_KEY_ID = secrets.iam.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = secrets.iam.secretAccessKey;
  process.env.AWS_REGION = REGION;
  const stops: Stop[] = [];
  const close = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  const pending: Promise<unknown>[] = [];
  const inBackground = <T>(starting: Promise<T>, stopOf: (started: T) => Stop): Promise<T> => {
    const started = starting.then((v) => {
      stops.push(stopOf(v));
      return v;
    });
    // Marked handled here; a start failure still surfaces where the stack awaits it.
    pending.push(started.catch(() => undefined));
    return started;
  };
  let deps: AppDeps | undefined;
  const notReady = async (): Promise<never> => {
    throw new Error('the stack is still starting');
  };
  // Wired once the dependencies exist; a call before that is answered as an error (and retried).
  let webhookHandler: FunctionUrlHandler = notReady;
  let postConfirmationHandler: (event: unknown) => Promise<unknown> = notReady;
  const ready = (): AppDeps => {
    if (!deps) throw new Error('the stack is still starting');
    return deps;
  };

  try {
    // The two child processes (the JVM, cognito-local) take seconds to answer: they boot while the
    // in-process parts start. Each one's stop is registered as soon as it is up, so a failure
    // elsewhere still ends it (see the catch below).
    if (!opts.dynamodb) log('DynamoDB Local (starting in the background)…');
    // restartDynamoDb swaps in a new JVM: the stop ends whichever is current.
    let ddbNow: DynamoDbLocal | undefined;
    const ddbStarting = inBackground(opts.dynamodb ?? startStackDynamoDb(cfg), (d) => () => (ddbNow ?? d).stop());
    const tables = tableNames('ev-');

    log('cognito-local (starting in the background)…');
    const shim = await startLambdaInvokeShim({
      port: cfg.EV_PORT_LAMBDA,
      functions: { 'post-confirmation': (event) => postConfirmationHandler(event) },
    });
    stops.push(() => shim.close());
    const cognitoStarting = inBackground(
      startLocalCognito({
        port: cfg.EV_PORT_COGNITO,
        dataDir: join(dataDir, 'cognito'),
        lambdaInvokeEndpoint: shim.endpoint,
      }),
      (c) => () => c.stop(),
    );

    log('Stripe emulator and webhook endpoint…');
    const webhook = await startFunctionUrl({
      host,
      port: cfg.EV_PORT_WEBHOOK,
      path: '/stripe/webhook',
      handler: (event) => webhookHandler(event),
    });
    stops.push(() => webhook.close());
    const stripeKey = cfg.EV_STRIPE === 'real' ? cfg.STRIPE_SECRET_KEY : secrets.stripeKey;
    const webhookSecret = cfg.EV_STRIPE === 'real' ? cfg.STRIPE_WEBHOOK_SECRET : secrets.webhookSecret;
    const stripe =
      cfg.EV_STRIPE === 'emulator'
        ? await startStripeEmulator({
            host,
            port: cfg.EV_PORT_STRIPE,
            dataDir: join(dataDir, 'stripe'),
            webhooks: [{ url: webhook.url, secret: secrets.webhookSecret }],
          })
        : undefined;
    if (stripe) stops.push(() => stripe.close());

    log('MQTT broker and IoT shims…');
    const known = new Set(registry(cfg.EV_STATIONS).map((s) => s.id));
    const iotOptions: LocalIotOptions = {
      host,
      mqttPort: cfg.EV_PORT_MQTT,
      wsPort: cfg.EV_PORT_MQTT_WS,
      httpPort: cfg.EV_PORT_IOT_DATA,
      stationSecret: secrets.stationSecret,
      backend: { username: BACKEND_MQTT_USER, password: secrets.backendMqttPassword },
      dataPlaneCredentials: secrets.iam,
      isKnownStation: (id) => known.has(id),
      logger: quietLogger(cfg),
    };
    // restartBroker replaces it: the stop closes whichever broker is current.
    let iot: LocalIot = await startLocalIot(iotOptions);
    stops.push(() => iot.close());

    const cognito = await cognitoStarting;
    const ddb = await ddbStarting;
    ddbNow = ddb;
    await createTables(localDynamoDbClient(ddb.endpoint), tables);
    log('DynamoDB Local and cognito-local up; GraphQL (AppSync protocol)…');
    const viaDeps =
      (pick: (d: AppDeps) => AppSyncResolver): AppSyncResolver =>
      (event) =>
        pick(ready())(event);
    const resolvers = graphqlResolvers(viaDeps);
    const appsync = await startLocalAppSync({
      port: cfg.EV_PORT_APPSYNC,
      schemaPath: SCHEMA_PATH,
      cognito: { issuer: cognito.issuer, clientId: cognito.clientId, jwksUrl: cognito.jwksUrl },
      iam: { ...secrets.iam, region: REGION },
      resolvers,
      subscriptionFilters: SUBSCRIPTION_FILTERS,
    });
    stops.push(() => appsync.close());

    const webPort = cfg.EV_PORT_WEB;
    const webBase = webPort === 0 ? undefined : `http://${host}:${webPort}`;
    const config: Config = {
      STAGE: 'local',
      AWS_REGION: REGION,
      LOG_LEVEL: cfg.EV_LOG_LEVEL,
      ...tableConfig(tables),
      DYNAMODB_ENDPOINT: ddb.endpoint,
      STRIPE_SECRET_KEY: stripeKey,
      STRIPE_API_BASE: stripe?.url,
      STRIPE_WEBHOOK_SECRETS: webhookSecret ? [webhookSecret] : [],
      IOT_DATA_ENDPOINT: iot.publishEndpoint,
      APPSYNC_GRAPHQL_URL: appsync.url,
      COGNITO_USER_POOL_ID: cognito.userPoolId,
      COGNITO_ENDPOINT: cognito.endpoint,
      WEB_BASE_URL: webBase ?? 'http://127.0.0.1:5173',
      ACK_TIMEOUT_SEC: cfg.EV_ACK_TIMEOUT_SEC,
      START_RESEND_SEC: cfg.EV_START_RESEND_SEC,
      STOP_RESEND_SEC: cfg.EV_STOP_RESEND_SEC,
      PAYMENT_REDRIVE_SEC: cfg.EV_PAYMENT_REDRIVE_SEC,
      REDRIVE_ESCALATE_AFTER: cfg.EV_REDRIVE_ESCALATE_AFTER,
      LIVE_PUBLISH_INTERVAL_SEC: Math.max(0.5, cfg.EV_REPORT_MS / 1000),
    };

    const web =
      cfg.EV_WEB === 'on'
        ? await startWebServer({
            host,
            port: webPort,
            distDir: WEB_DIST,
            config: {
              region: REGION,
              userPoolId: cognito.userPoolId,
              userPoolClientId: cognito.clientId,
              userPoolEndpoint: cognito.endpoint,
              graphqlEndpoint: appsync.url,
              authFlowType: 'USER_PASSWORD_AUTH',
            },
          })
        : undefined;
    if (web) stops.push(() => web.close());
    if (web) config.WEB_BASE_URL = web.url;

    // The repositories reach DynamoDB Local over the direct wire (the same protocol without the SDK's
    // per-call machinery), unless EV_DYNAMODB_WIRE=sdk; it follows a restarted DynamoDB Local's port.
    const wire = cfg.EV_DYNAMODB_WIRE === 'direct' ? directDocumentClient(() => (ddbNow ?? ddb).endpoint) : undefined;
    if (wire) stops.push(async () => wire.close());
    // Breaker commands reach the IoT shim over its direct wire (the SDK's request, without its per-call machinery).
    const dataPlane = dataPlaneWire({ endpoint: iot.publishEndpoint, region: REGION, credentials: secrets.iam });
    stops.push(async () => dataPlane.close());
    deps = await buildDeps(
      config,
      {},
      {
        ...(wire ? { documentClient: () => wire.doc } : {}),
        iotData: () => dataPlane.client,
      },
    );
    const built = deps;
    const webhookFn = stripeWebhook({
      events: await built.paymentEvents(),
      processed: built.ports.processedEvents,
      apply: built.applyPaymentEvent,
      logger: built.logger,
      clock: built.ports.clock,
    });
    webhookHandler = (event) => webhookFn(event);
    const postConfirm = postConfirmation({ registerDriver: built.registerDriver, logger: built.logger });
    postConfirmationHandler = (event) => postConfirm(event as Parameters<typeof postConfirm>[0]);

    // The demo users (sign-up through cognito-local and its trigger) do not depend on the stations.
    const demoUsers =
      cfg.EV_DEMO_DRIVER === 'on'
        ? inBackground(
            ensureDemoUsers({
              endpoint: cognito.endpoint,
              userPoolId: cognito.userPoolId,
              clientId: cognito.clientId,
              dataDir: cognito.dataDir,
              password: secrets.demoPassword,
            }),
            () => async () => undefined,
          )
        : undefined;
    log(`station registry and simulated stations${demoUsers ? ', demo users' : ''}…`);
    const seeds = registry(cfg.EV_STATIONS);
    const now = new Date().toISOString();
    await Promise.all(
      seeds.map(async (seed) => {
        if (!(await built.ports.stations.get(seed.id))) await built.ports.stations.put(toStation(seed, now));
      }),
    );
    const stationHandler = stationEvents({
      stations: built.ports.stations,
      sink: built.stationSink,
      clock: built.ports.clock,
      logger: built.logger,
    });
    const rules = await startRuleEmulator({
      mqttUrl: iot.mqttUrl,
      username: BACKEND_MQTT_USER,
      password: secrets.backendMqttPassword,
      handler: async (event) => {
        await stationHandler(event);
      },
      logger: quietLogger(cfg),
    });
    stops.push(() => rules.close());
    const sim = await startSimulatedStations({
      mqttUrl: iot.mqttUrl,
      stationSecret: secrets.stationSecret,
      stations: seeds,
      reportMs: cfg.EV_REPORT_MS,
      registerFile: join(dataDir, 'station-meters.json'),
    });
    stops.push(() => sim.stop());

    await demoUsers;

    // One sweep at a time; close() waits for the one in flight, so it never runs into a stopped store.
    let sweeping: Promise<void> | undefined;
    const sweep = setInterval(() => {
      sweeping ??= built.useCases
        .sweepStale()
        .then(() => undefined)
        .catch((e: unknown) => built.logger.error('sweep failed', { err: String(e) }))
        .finally(() => {
          sweeping = undefined;
        });
    }, cfg.EV_SWEEP_MS);
    sweep.unref();
    stops.push(async () => {
      clearInterval(sweep);
      await sweeping;
    });

    const urls: LocalStackUrls = {
      web: web?.url,
      graphql: appsync.url,
      realtime: appsync.realtimeUrl,
      cognito: cognito.endpoint,
      userPoolId: cognito.userPoolId,
      clientId: cognito.clientId,
      stripe: stripe?.url ?? 'https://api.stripe.com (test mode)',
      webhook: webhook.url,
      mqtt: iot.mqttUrl,
      mqttWs: iot.wsUrl,
      iotData: iot.publishEndpoint,
      dynamodb: ddb.endpoint,
    };
    const children: Record<string, number> = { dynamodb: ddb.pid, 'cognito-local': cognito.pid };
    const portOf = (url: string) => Number(new URL(url).port);
    const restartBroker = async ({ downMs = 0 } = {}) => {
      const ports = { mqttPort: portOf(iot.mqttUrl), wsPort: portOf(iot.wsUrl), httpPort: portOf(iot.publishEndpoint) };
      await iot.close();
      await new Promise((r) => setTimeout(r, downMs));
      iot = await startLocalIot({ ...iotOptions, ...ports });
    };
    const restartDynamoDb = async ({ downMs = 0 } = {}) => {
      const current = ddbNow ?? ddb;
      await current.stop();
      await new Promise((r) => setTimeout(r, downMs));
      // Someone may take the port while it is down (parallel tests pick free ports): the direct wire
      // follows a new one; the SDK's client keeps its endpoint, so only with the direct wire may it move.
      ddbNow = await startStackDynamoDb({ ...cfg, EV_PORT_DYNAMODB: current.port }, { otherPortIfTaken: !!wire });
      children.dynamodb = ddbNow.pid;
    };
    return {
      urls,
      deps: built,
      ...(wire ? { storeWire: wire } : {}),
      secrets,
      stations: seeds,
      simulator: sim,
      cognitoPool: { endpoint: cognito.endpoint, userPoolId: cognito.userPoolId, dataDir: cognito.dataDir },
      children,
      ...(stripe ? { stripe } : {}),
      restartBroker,
      restartDynamoDb,
      status: async () => ({
        stationsSimulated: sim.stats(),
        stationEvents: stationHandler.counters,
        rules: rules.stats(),
      }),
      close,
    };
  } catch (e) {
    // A part still starting in the background registers its stop when it comes up: wait for it.
    await Promise.all(pending);
    await close();
    throw e;
  }
}
