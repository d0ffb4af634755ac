import type { Driver } from '../../../functions/src/domain/driver.js';
import type { LedgerEntry } from '../../../functions/src/domain/ledger.js';
import type { Session, SessionState } from '../../../functions/src/domain/session.js';
import type { Station } from '../../../functions/src/domain/station.js';

let counter = 0;
/** Unique within a run, so cases never see each other's rows. */
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}_${Date.now().toString(36)}${counter.toString(36).padStart(4, '0')}`;
}

export const T0 = '2025-04-01T09:00:00.000Z';
/** T0 plus `minutes`, as an ISO string (same length, so strings sort like times). */
export function at(minutes: number): string {
  return new Date(Date.parse(T0) + minutes * 60_000).toISOString();
}

export function aSession(overrides: Partial<Session> = {}): Session {
  return {
    id: uniqueId('ses'),
    driverId: 'drv_default',
    stationId: 'st_default',
    startKey: uniqueId('key'),
    state: 'AWAITING_PAYMENT_METHOD',
    version: 1,
    tariff: { milliYenPerKwh: 55_500, sessionFeeYen: 0, milliYenPerMinute: 0 },
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function anEntry(
  session: Pick<Session, 'id' | 'version' | 'state'>,
  from: SessionState | null,
  cause: string,
): LedgerEntry {
  return {
    sessionId: session.id,
    seq: session.version,
    at: T0,
    from,
    to: session.state,
    cause,
    evidence: {},
  };
}

/** The next version of `s` in `state`, and the ledger entry that records the move. */
export function moved(s: Session, state: SessionState, cause: string, patch: Partial<Session> = {}) {
  const next: Session = { ...s, ...patch, state, version: s.version + 1, updatedAt: at(s.version) };
  return { next, entry: anEntry(next, s.state, cause) };
}

export function aDriver(overrides: Partial<Driver> = {}): Driver {
  return {
    id: uniqueId('drv'),
    balanceYen: 0,
    blocked: false,
    version: 1,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function aStation(overrides: Partial<Station> = {}): Station {
  return {
    id: uniqueId('st'),
    name: 'Lot A #1',
    site: 'lot-a',
    model: 'breaker',
    ratedW: 3_000,
    voltageV: 200,
    tariff: { milliYenPerKwh: 55_500, sessionFeeYen: 0, milliYenPerMinute: 0 },
    online: true,
    breaker: 'open',
    updatedAt: T0,
    ...overrides,
  };
}
