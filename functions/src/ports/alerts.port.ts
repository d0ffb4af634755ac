/**
 * A person must look: after money is taken nothing is auto-refunded on a later failure; the
 * step is made re-drivable and an operator is alerted (SNS in the cloud, a log + list locally).
 */
export interface Alert {
  code: string;
  sessionId?: string;
  stationId?: string;
  detail: string;
}
export interface Alerts {
  raise(alert: Alert): Promise<void>;
}
