/**
 * Handler configuration: zod-parsed environment, the same variables in the cloud (set by CDK) and
 * locally (set by infra/local's orchestrator). Endpoint overrides point the real SDKs at stand-ins.
 */
import { z } from 'zod';

const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

export const ConfigSchema = z
  .object({
    STAGE: z.string().default('local'),
    AWS_REGION: z.string().default('ap-northeast-1'),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).default('info'),

    TABLE_SESSIONS: z.string().min(1),
    TABLE_DRIVERS: z.string().min(1),
    TABLE_STATIONS: z.string().min(1),
    TABLE_EVENTS: z.string().min(1),
    /** The sweeper's re-drive tries; without it (functions that never sweep) they are counted in memory. */
    TABLE_REDRIVE_TRIES: z.string().min(1).optional(),
    /** Reconciliation's anomalies; without it (functions that never reconcile) they are kept in memory. */
    TABLE_ANOMALIES: z.string().min(1).optional(),
    DYNAMODB_ENDPOINT: z.url().optional(),

    /** Either the key itself (local / tests) or the Secrets Manager id holding it (cloud). */
    STRIPE_SECRET_KEY: z.string().startsWith('sk_').optional(),
    STRIPE_SECRET_ID: z.string().optional(),
    /** Points the Stripe SDK at the local emulator, e.g. http://127.0.0.1:12111 */
    STRIPE_API_BASE: z.url().optional(),
    STRIPE_WEBHOOK_SECRETS: csv.optional(),
    /** Secrets Manager id of the webhook signing secret(s), comma-separated while rolling (cloud). */
    STRIPE_WEBHOOK_SECRET_ID: z.string().optional(),

    IOT_DATA_ENDPOINT: z.url().optional(),
    APPSYNC_GRAPHQL_URL: z.url().optional(),
    COGNITO_USER_POOL_ID: z.string().optional(),
    COGNITO_ENDPOINT: z.url().optional(),

    /** Where Checkout returns the driver to: `${WEB_BASE_URL}/?session=…`. */
    WEB_BASE_URL: z.url().default('http://127.0.0.1:5173'),
    ACK_TIMEOUT_SEC: z.coerce.number().int().positive().default(30),
    LIVE_PUBLISH_INTERVAL_SEC: z.coerce.number().positive().default(2),
    /** Re-drive pacing of stuck steps (seconds, fractions allowed); unset: DEFAULT_USE_CASE_CONFIG. */
    START_RESEND_SEC: z.coerce.number().positive().optional(),
    STOP_RESEND_SEC: z.coerce.number().positive().optional(),
    PAYMENT_REDRIVE_SEC: z.coerce.number().positive().optional(),
    /** Tries of one stuck step before a person is alerted (`STUCK_<STATE>`). */
    REDRIVE_ESCALATE_AFTER: z.coerce.number().int().positive().optional(),
    /** SNS topic operator alerts are published to (cloud); unset: log + the operator view's list only. */
    ALERTS_TOPIC_ARN: z.string().startsWith('arn:').optional(),
    /** Points the SNS publisher elsewhere (tests). */
    SNS_ENDPOINT: z.url().optional(),
  })
  .refine((c) => c.STRIPE_SECRET_KEY || c.STRIPE_SECRET_ID, {
    message: 'set STRIPE_SECRET_KEY (local/test) or STRIPE_SECRET_ID (Secrets Manager)',
  });

export type Config = z.infer<typeof ConfigSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const r = ConfigSchema.safeParse(env);
  if (!r.success) throw new Error(`invalid configuration:\n${z.prettifyError(r.error)}`);
  return r.data;
}
