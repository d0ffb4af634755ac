import type { ExposureCap } from '../domain/session.js';
import type { Alerts } from '../ports/alerts.port.js';
import type { BreakerControl } from '../ports/breaker-control.port.js';
import type { Clock } from '../ports/clock.port.js';
import type { DriverRepository } from '../ports/driver-repository.port.js';
import type { IdGenerator } from '../ports/id-generator.port.js';
import type { LivePublisher } from '../ports/live-publisher.port.js';
import type { Logger } from '../ports/logger.port.js';
import type { PaymentGateway } from '../ports/payment-gateway.port.js';
import type { ProcessedEvents } from '../ports/processed-events.port.js';
import type { RedriveTries } from '../ports/redrive-tries.port.js';
import type { SessionRepository } from '../ports/session-repository.port.js';
import type { StationRepository } from '../ports/station-repository.port.js';

export interface UseCaseConfig {
  /** The web app's origin; Checkout returns the driver to `${webBaseUrl}/sessions/{id}?checkout=…`. */
  webBaseUrl: string;
  /** Lifetime of a breaker command (`expiresAt − issuedAt`): a station ignores it afterwards. */
  commandTtlMs: number;
  /** ENERGIZING longer than this without an ack → FAILED_TO_START (nothing charged). */
  ackTimeoutMs: number;
  /** ENERGIZING longer than this (and short of the ack timeout) → the close command is re-sent (same cmdId). */
  startResendAfterMs: number;
  /** STOPPING longer than this → the open command is re-sent (same cmdId, fresh expiry). */
  stopResendAfterMs: number;
  /** METERED / PAYMENT_PENDING longer than this → the charge is re-driven with the same key. */
  paymentRedriveAfterMs: number;
  /** AWAITING_PAYMENT_METHOD longer than this → CANCELLED and the station freed. */
  checkoutTimeoutMs: number;
  /** At most one live publish per session per interval (meter reports are the firehose). */
  livePublishIntervalMs: number;
  /** Limits the station enforces by itself while it cannot reach the backend. */
  offlineMaxWh?: number;
  offlineMaxSec?: number;
  /** Applied when startCharge names none. */
  defaultExposureCap?: ExposureCap;
  /** Optimistic-concurrency retries per transition before giving up (then it throws). */
  maxCommitAttempts: number;
  /** Upper bound of sessions the sweeper handles per state per run. */
  sweepBatch: number;
  /** Tries of one stuck step (spaced by its delay above) before a person is alerted once. */
  redriveEscalateAfter: number;
  /** After escalation the step is still re-driven, this many times less often. */
  escalatedRedriveSlowdown: number;
}

export const DEFAULT_USE_CASE_CONFIG: Omit<UseCaseConfig, 'webBaseUrl'> = {
  commandTtlMs: 30_000,
  ackTimeoutMs: 45_000,
  startResendAfterMs: 15_000,
  stopResendAfterMs: 30_000,
  paymentRedriveAfterMs: 60_000,
  checkoutTimeoutMs: 30 * 60_000,
  livePublishIntervalMs: 2_000,
  offlineMaxWh: 10_000,
  offlineMaxSec: 3_600,
  maxCommitAttempts: 5,
  sweepBatch: 100,
  redriveEscalateAfter: 5,
  escalatedRedriveSlowdown: 10,
};

export interface UseCaseDeps {
  sessions: SessionRepository;
  drivers: DriverRepository;
  stations: StationRepository;
  payments: PaymentGateway;
  processedEvents: ProcessedEvents;
  breaker: BreakerControl;
  live: LivePublisher;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  alerts: Alerts;
  /** The sweeper's durable count of re-drive tries per stuck step. */
  redriveTries: RedriveTries;
  config: UseCaseConfig;
}
