/**
 * Operator view, loaded on demand. The API has no operator-wide session queries yet, so "charging
 * now" and "recent failures" are read from live station state; reconciliation has its place ready.
 */
import { useEffect, useState } from 'react';
import type { Station } from '../api/schemas.js';
import { useServices } from '../app/services.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/translate.js';
import { toApiError } from '../lib/api-errors.js';
import { formatKw, formatTime } from '../lib/format.js';
import { mergeStation } from '../lib/station-view.js';

function breakerKey(breaker: string | null | undefined): MessageKey {
  const value = breaker?.toLowerCase();
  if (value === 'closed' || value === 'on') return 'operator.breaker.closed';
  if (value === 'open' || value === 'off') return 'operator.breaker.open';
  return 'operator.breaker.unknown';
}

export default function OperatorScreen({ allowed }: { allowed: boolean }) {
  const { t, locale } = useI18n();
  const { api } = useServices();
  const [stations, setStations] = useState<Station[] | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);

  useEffect(() => {
    if (!allowed) return;
    api
      .stations()
      .then(setStations)
      .catch((thrown: unknown) => setError(toApiError(thrown).messageKey));
    return api.onStationUpdate(
      (station) => setStations((current) => (current ? mergeStation(current, station) : current)),
      () => undefined,
    );
  }, [api, allowed]);

  if (!allowed) {
    return (
      <p className="alert" role="alert" data-testid="operator-denied">
        {t('operator.denied')}
      </p>
    );
  }

  const list = stations ?? [];
  const offline = list.filter((s) => s.status === 'OFFLINE').length;
  const charging = list.filter((s) => s.status === 'CHARGING');
  const failures = list.filter((s) => s.status === 'FAULT' || s.status === 'OFFLINE');

  return (
    <section aria-labelledby="operator-title" data-testid="operator-screen">
      <h1 id="operator-title">{t('operator.title')}</h1>
      {error && (
        <p className="alert" role="alert">
          {t(error)}
        </p>
      )}
      {!stations && !error && <p aria-live="polite">{t('common.loading')}</p>}

      <section aria-labelledby="op-stations" className="card">
        <h2 id="op-stations">{t('operator.stations')}</h2>
        <p data-testid="operator-summary">{t('operator.summary', { online: list.length - offline, offline })}</p>
        <div className="table-wrap">
          <table data-testid="operator-stations">
            <thead>
              <tr>
                <th scope="col">{t('operator.colStation')}</th>
                <th scope="col">{t('operator.colStatus')}</th>
                <th scope="col">{t('operator.colBreaker')}</th>
                <th scope="col">{t('operator.colPower')}</th>
                <th scope="col">{t('operator.colUpdated')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id} data-testid={`operator-station-${s.id}`}>
                  <th scope="row">{s.name}</th>
                  <td>
                    {s.status === 'OFFLINE' ? t('operator.offline') : t('operator.online')} ·{' '}
                    {t(`station.status.${s.status}`)}
                  </td>
                  <td>{t(breakerKey(s.breaker))}</td>
                  <td>{s.powerW != null ? formatKw(s.powerW, locale) : '—'}</td>
                  <td>{s.updatedAt ? formatTime(s.updatedAt, locale) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="op-active" className="card">
        <h2 id="op-active">{t('operator.active')}</h2>
        {charging.length === 0 ? (
          <p data-testid="operator-active-empty">{t('operator.activeEmpty')}</p>
        ) : (
          <ul data-testid="operator-active">
            {charging.map((s) => (
              <li key={s.id}>
                {s.name} · {s.powerW != null ? formatKw(s.powerW, locale) : '—'}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="op-failures" className="card">
        <h2 id="op-failures">{t('operator.failures')}</h2>
        {failures.length === 0 ? (
          <p data-testid="operator-failures-empty">{t('operator.failuresEmpty')}</p>
        ) : (
          <ul data-testid="operator-failures">
            {failures.map((s) => (
              <li key={s.id}>
                {s.name} · {t(`station.status.${s.status}`)} · {s.unavailableReason ?? '—'}
                {s.updatedAt && ` · ${formatTime(s.updatedAt, locale)}`}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="op-anomalies" className="card">
        <h2 id="op-anomalies">{t('operator.anomalies')}</h2>
        <p className="hint">{t('operator.anomaliesNote')}</p>
        <p data-testid="operator-anomalies-empty">
          <strong>{t('operator.anomaliesEmpty')}</strong>
        </p>
      </section>
    </section>
  );
}
