/**
 * `npm start` configuration: one zod schema over environment variables (all optional), documented in
 * the README. Ports default to fixed, memorable values for a person; tests pass 0 (ephemeral) for all.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

const port = (dflt: number) => z.coerce.number().int().min(0).max(65_535).default(dflt);

export const LocalConfigSchema = z.object({
  EV_DATA_DIR: z.string().default('.data'),
  EV_HOST: z.literal('127.0.0.1').default('127.0.0.1'),
  EV_PORT_WEB: port(5173),
  EV_PORT_APPSYNC: port(4000),
  EV_PORT_WEBHOOK: port(4001),
  EV_PORT_COGNITO: port(9229),
  EV_PORT_LAMBDA: port(9001),
  EV_PORT_DYNAMODB: port(8000),
  EV_PORT_MQTT: port(1883),
  EV_PORT_MQTT_WS: port(8083),
  EV_PORT_IOT_DATA: port(8443),
  EV_PORT_STRIPE: port(12111),
  /** Simulated stations started with the stack (the seeded registry has 8; extra ones are generated). */
  EV_STATIONS: z.coerce.number().int().min(0).max(5_000).default(8),
  /** Meter report interval while charging (ms); the protocol default is 5 s, the demo likes it livelier. */
  EV_REPORT_MS: z.coerce.number().int().min(200).max(60_000).default(2_000),
  /** How often the sweeper looks for stuck sessions (ms). */
  EV_SWEEP_MS: z.coerce.number().int().min(200).max(600_000).default(5_000),
  EV_ACK_TIMEOUT_SEC: z.coerce.number().int().positive().default(30),
  /** Watchdog pacing (seconds, fractions allowed): re-send close / open, re-drive billing; unset = defaults. */
  EV_START_RESEND_SEC: z.coerce.number().positive().max(3_600).optional(),
  EV_STOP_RESEND_SEC: z.coerce.number().positive().max(3_600).optional(),
  EV_PAYMENT_REDRIVE_SEC: z.coerce.number().positive().max(3_600).optional(),
  /** Tries of one stuck step before the operator is alerted (`STUCK_<STATE>`). */
  EV_REDRIVE_ESCALATE_AFTER: z.coerce.number().int().min(1).max(1_000).optional(),
  /**
   * How the repositories reach DynamoDB Local: `direct` posts the same JSON-protocol requests without
   * the SDK's per-call machinery (infra/local/dynamodb/direct-wire.ts); `sdk` is the cloud's client.
   */
  EV_DYNAMODB_WIRE: z.enum(['direct', 'sdk']).default('direct'),
  /**
   * JVM options for DynamoDB Local. The default (C1 JIT only, small heap) starts fastest, which suits
   * `npm start` and tests; long runs such as benchmarks want the full JIT (see dynamodb-local.ts).
   */
  EV_DYNAMODB_JAVA_OPTS: z.string().max(500).optional(),
  EV_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('warn'),
  /** `real` uses Stripe test mode (needs STRIPE_SECRET_KEY=sk_test_… and STRIPE_WEBHOOK_SECRET). */
  EV_STRIPE: z.enum(['emulator', 'real']).default('emulator'),
  STRIPE_SECRET_KEY: z.string().startsWith('sk_test_').optional(),
  STRIPE_WEBHOOK_SECRET: z.string().startsWith('whsec_').optional(),
  /** Serve the web app (needs `npm run build:web` once; `.ci/setup` does it). */
  EV_WEB: z.enum(['on', 'off']).default('on'),
  EV_DEMO_DRIVER: z.enum(['on', 'off']).default('on'),
});

export type LocalConfig = z.infer<typeof LocalConfigSchema> & { dataDir: string };

export function loadLocalConfig(env: Record<string, string | undefined> = process.env): LocalConfig {
  const r = LocalConfigSchema.safeParse(env);
  if (!r.success) throw new Error(`invalid local configuration:\n${z.prettifyError(r.error)}`);
  if (r.data.EV_STRIPE === 'real' && !(r.data.STRIPE_SECRET_KEY && r.data.STRIPE_WEBHOOK_SECRET)) {
    throw new Error('EV_STRIPE=real needs STRIPE_SECRET_KEY=sk_test_… and STRIPE_WEBHOOK_SECRET=whsec_…');
  }
  return { ...r.data, dataDir: resolve(r.data.EV_DATA_DIR) };
}
