import { MemoryAlerts } from './memory-alerts.js';
import { MemoryBreakerControl } from './memory-breaker-control.js';
import { MemoryClock } from './memory-clock.js';
import { MemoryDriverRepository } from './memory-driver-repository.js';
import { MemoryIdGenerator } from './memory-id-generator.js';
import { MemoryLivePublisher } from './memory-live-publisher.js';
import { MemoryLogger } from './memory-logger.js';
import { MemoryPaymentEvents } from './memory-payment-events.js';
import { MemoryPaymentGateway } from './memory-payment-gateway.js';
import { MemoryProcessedEvents } from './memory-processed-events.js';
import { MemoryRedriveTries } from './memory-redrive-tries.js';
import { MemorySessionRepository } from './memory-session-repository.js';
import { MemoryStationRepository } from './memory-station-repository.js';

/** Every port as an in-memory fake, wired together (one clock; sessions commit drivers atomically). */
export interface MemoryWorld {
  clock: MemoryClock;
  ids: MemoryIdGenerator;
  logger: MemoryLogger;
  alerts: MemoryAlerts;
  drivers: MemoryDriverRepository;
  sessions: MemorySessionRepository;
  stations: MemoryStationRepository;
  processedEvents: MemoryProcessedEvents;
  payments: MemoryPaymentGateway;
  paymentEvents: MemoryPaymentEvents;
  breaker: MemoryBreakerControl;
  live: MemoryLivePublisher;
  redriveTries: MemoryRedriveTries;
}

export function makeMemoryWorld(start?: Date | string): MemoryWorld {
  const clock = new MemoryClock(start);
  const now = () => clock.now();
  const drivers = new MemoryDriverRepository();
  return {
    clock,
    ids: new MemoryIdGenerator(),
    logger: new MemoryLogger(),
    alerts: new MemoryAlerts(now),
    drivers,
    sessions: new MemorySessionRepository(drivers),
    stations: new MemoryStationRepository(),
    processedEvents: new MemoryProcessedEvents(),
    payments: new MemoryPaymentGateway(now),
    paymentEvents: new MemoryPaymentEvents('whsec_memory', now),
    breaker: new MemoryBreakerControl(),
    live: new MemoryLivePublisher(),
    redriveTries: new MemoryRedriveTries(),
  };
}
