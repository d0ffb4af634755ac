/** How a station presents itself to a driver: can it be used, and if not, why in plain words. */

import type { Station, StationStatus } from '../api/schemas.js';
import type { MessageKey } from '../i18n/translate.js';

export type StationTone = 'ok' | 'busy' | 'down';

export interface StationView {
  statusKey: MessageKey;
  tone: StationTone;
  canStart: boolean;
  /** A message key, or the server's own words when it sent a reason the app has no translation for. */
  reason?: { key: MessageKey } | { text: string };
}

const TONE: Record<StationStatus, StationTone> = { AVAILABLE: 'ok', CHARGING: 'busy', OFFLINE: 'down', FAULT: 'down' };

const DEFAULT_REASON: Record<StationStatus, MessageKey | undefined> = {
  AVAILABLE: undefined,
  CHARGING: 'station.reason.busy',
  OFFLINE: 'station.reason.offline',
  FAULT: 'station.reason.fault',
};

// The backend's reasons (functions/src/presenters/station-view.ts) are English phrases for logs;
// drivers get their own words, and an unknown phrase is shown as sent rather than hidden.
const REASON_BY_CODE: Readonly<Record<string, MessageKey>> = {
  'station is offline': 'station.reason.offline',
  'in use': 'station.reason.busy',
  offline: 'station.reason.offline',
  'station.offline': 'station.reason.offline',
  fault: 'station.reason.fault',
  busy: 'station.reason.busy',
  'station.busy': 'station.reason.busy',
  charging: 'station.reason.busy',
  maintenance: 'station.reason.maintenance',
};

export function stationView(station: Pick<Station, 'status' | 'unavailableReason'>): StationView {
  const statusKey: MessageKey = `station.status.${station.status}`;
  const tone = TONE[station.status];
  const canStart = station.status === 'AVAILABLE';
  if (canStart) return { statusKey, tone, canStart };
  const raw = station.unavailableReason?.trim();
  if (raw) {
    const code = raw.toLowerCase();
    const known = REASON_BY_CODE[code] ?? (code.startsWith('fault') ? 'station.reason.fault' : undefined);
    return { statusKey, tone, canStart, reason: known ? { key: known } : { text: raw } };
  }
  const fallback = DEFAULT_REASON[station.status];
  return { statusKey, tone, canStart, reason: fallback ? { key: fallback } : undefined };
}

/** Stations grouped by site, sites and stations in a stable, human order. */
export function groupBySite<T extends Pick<Station, 'site' | 'name'>>(stations: readonly T[]): [string, T[]][] {
  const sites = new Map<string, T[]>();
  for (const station of stations) {
    const list = sites.get(station.site) ?? [];
    list.push(station);
    sites.set(station.site, list);
  }
  const collator = new Intl.Collator(undefined, { numeric: true });
  return [...sites.entries()]
    .sort(([a], [b]) => collator.compare(a, b))
    .map(([site, list]) => [site, [...list].sort((a, b) => collator.compare(a.name, b.name))]);
}

/** Replaces or adds one station (live update) without disturbing the order of the rest. */
export function mergeStation<T extends Pick<Station, 'id'>>(stations: readonly T[], update: T): T[] {
  const index = stations.findIndex((s) => s.id === update.id);
  if (index < 0) return [...stations, update];
  const next = [...stations];
  next[index] = update;
  return next;
}
