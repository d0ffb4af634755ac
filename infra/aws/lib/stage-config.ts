/**
 * Per-stage settings, read from CDK context (`-c stage=prod`, `-c alarmEmail=…`) and zod-parsed so a
 * typo fails the synth with a clear message instead of deploying a half-configured stack.
 */
import { z } from 'zod';

export const Stage = z.enum(['dev', 'prod']);
export type Stage = z.infer<typeof Stage>;

const ContextSchema = z.object({
  stage: Stage.default('dev'),
  /** Placeholder account for credential-less synth; `cdk deploy` sets CDK_DEFAULT_ACCOUNT. */
  account: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
  region: z.string().min(1).optional(),
  alarmEmail: z.email().optional(),
  /** Where Checkout sends the driver back (the deployed web app's origin). */
  webBaseUrl: z.url().optional(),
  /** Skips the deploy-time DescribeEndpoint lookup when the account's ATS endpoint is already known. */
  iotEndpoint: z
    .string()
    .regex(/^[a-z0-9]+-ats\.iot\.[a-z0-9-]+\.amazonaws\.com$/)
    .optional(),
  /** New accounts have a concurrency quota of 10, which any reservation would breach: `-c reservedConcurrency=off`. */
  reservedConcurrency: z.enum(['on', 'off']).default('on'),
});

export interface StageConfig {
  stage: Stage;
  account: string;
  region: string;
  alarmEmail?: string;
  webBaseUrl: string;
  iotEndpoint?: string;
  isProd: boolean;
  logLevel: 'debug' | 'info';
  logRetentionDays: 30 | 90;
  /** Caps how many Stripe-calling invocations run at once (Stripe's live limit is ~100 requests/s). */
  reservedConcurrency?: { charging: number; webhook: number; stationEvents: number };
}

export const DEFAULT_REGION = 'ap-northeast-1';
export const PLACEHOLDER_ACCOUNT = '000000000000';

export function stageConfig(
  context: Record<string, unknown>,
  env: Record<string, string | undefined> = process.env,
): StageConfig {
  const parsed = ContextSchema.safeParse(context);
  if (!parsed.success) throw new Error(`invalid CDK context:\n${z.prettifyError(parsed.error)}`);
  const c = parsed.data;
  const isProd = c.stage === 'prod';
  return {
    stage: c.stage,
    account: c.account ?? env.CDK_DEFAULT_ACCOUNT ?? PLACEHOLDER_ACCOUNT,
    region: c.region ?? env.CDK_DEFAULT_REGION ?? DEFAULT_REGION,
    alarmEmail: c.alarmEmail,
    webBaseUrl: c.webBaseUrl ?? (isProd ? 'https://charge.example.jp' : 'http://localhost:5173'),
    iotEndpoint: c.iotEndpoint,
    isProd,
    logLevel: isProd ? 'info' : 'debug',
    logRetentionDays: isProd ? 90 : 30,
    reservedConcurrency:
      c.reservedConcurrency === 'off'
        ? undefined
        : isProd
          ? { charging: 20, webhook: 20, stationEvents: 50 }
          : { charging: 2, webhook: 2, stationEvents: 5 },
  };
}
