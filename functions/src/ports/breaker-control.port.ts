/** Sends breaker commands to a station (IoT Core data plane in the cloud, aedes locally). */
export interface BreakerCommand {
  cmdId: string;
  sessionId: string;
  action: 'close' | 'open';
  issuedAt: string;
  expiresAt: string;
  limits?: { maxWh?: number; offlineMaxWh?: number; offlineMaxSec?: number };
}

export interface BreakerControl {
  send(stationId: string, command: BreakerCommand): Promise<void>;
}
