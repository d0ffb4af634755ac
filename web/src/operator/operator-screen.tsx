/**
 * Operator view, loaded on demand: stations (online/offline, breaker), every driver's unsettled sessions,
 * recent failures, alerts, and reconciliation anomalies (each open one with a review form: a note is
 * required). The lists come from the operator-only API fields; the page refreshes itself every 15 s and
 * follows station changes live.
 */
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { Anomaly, OperatorAlert } from '../api/operator-operations.js';
import type { ChargingSession, Station } from '../api/schemas.js';
import { useServices } from '../app/services.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/translate.js';
import { toApiError } from '../lib/api-errors.js';
import { formatDateTime, formatKw, formatKwh, formatTime } from '../lib/format.js';
import { mergeStation } from '../lib/station-view.js';
import {
  evidenceLine,
  FAILED_STATES,
  isOperatorRefusal,
  reviewNoteProblem,
  shortId,
  splitAlerts,
} from './operator-data.js';

const REFRESH_MS = 15_000;

function breakerKey(breaker: string | null | undefined): MessageKey {
  const value = breaker?.toLowerCase();
  if (value === 'closed' || value === 'on') return 'operator.breaker.closed';
  if (value === 'open' || value === 'off') return 'operator.breaker.open';
  return 'operator.breaker.unknown';
}

interface Snapshot {
  active: ChargingSession[];
  failed: ChargingSession[];
  alerts: OperatorAlert[];
  openAnomalies: Anomaly[];
}

/** One open anomaly's review form: the note is required; the list reloads once the review is saved. */
function ReviewForm({ anomaly, onReviewed }: { anomaly: Anomaly; onReviewed: () => void }) {
  const { t } = useI18n();
  const { api } = useServices();
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState<MessageKey | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const invalid = reviewNoteProblem(note);
    if (invalid) {
      setProblem(invalid);
      return;
    }
    setBusy(true);
    api
      .reviewAnomaly(anomaly.id, note.trim())
      .then(() => {
        setNote('');
        setProblem(null);
        onReviewed();
      })
      .catch((thrown: unknown) => setProblem(toApiError(thrown).messageKey))
      .finally(() => setBusy(false));
  };
  const fieldId = `review-${anomaly.id}`;
  return (
    <form onSubmit={submit} noValidate data-testid={`operator-review-${anomaly.id}`}>
      <label htmlFor={fieldId}>{t('operator.reviewNote')}</label>
      <textarea
        id={fieldId}
        value={note}
        required
        maxLength={1_000}
        rows={2}
        aria-invalid={problem ? true : undefined}
        onChange={(e) => setNote(e.target.value)}
      />
      {problem && (
        <p className="alert" role="alert">
          {t(problem)}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t('operator.reviewSubmit')}
      </button>
    </form>
  );
}

export default function OperatorScreen({ allowed }: { allowed: boolean }) {
  const { t, locale } = useI18n();
  const { api } = useServices();
  const [stations, setStations] = useState<Station[] | null>(null);
  const [snapshot, setSnapshot] = useState<Snapshot | null>(null);
  const [error, setError] = useState<MessageKey | null>(null);
  const [denied, setDenied] = useState(false);

  const load = useCallback(() => {
    Promise.all([
      api.stations(),
      api.operatorSessions(),
      api.operatorSessions(FAILED_STATES, 20),
      api.operatorAlerts(50),
      api.operatorAnomalies(true, 50),
    ])
      .then(([list, active, failed, alerts, openAnomalies]) => {
        setStations(list);
        setSnapshot({ active, failed, alerts, openAnomalies });
        setError(null);
      })
      .catch((thrown: unknown) => {
        const e = toApiError(thrown);
        if (isOperatorRefusal(e)) setDenied(true);
        else setError(e.messageKey);
      });
  }, [api]);

  useEffect(() => {
    if (!allowed) return;
    load();
    const timer = setInterval(load, REFRESH_MS);
    const stop = api.onStationUpdate(
      (station) => setStations((current) => (current ? mergeStation(current, station) : current)),
      () => undefined,
    );
    return () => {
      clearInterval(timer);
      stop();
    };
  }, [api, allowed, load]);

  if (!allowed || denied) {
    return (
      <p className="alert" role="alert" data-testid="operator-denied">
        {t('operator.denied')}
      </p>
    );
  }

  const list = stations ?? [];
  const names = new Map(list.map((s) => [s.id, s.name]));
  const stationName = (id: string) => names.get(id) ?? id;
  const offline = list.filter((s) => s.status === 'OFFLINE').length;
  const troubledStations = list.filter((s) => s.status === 'FAULT' || s.status === 'OFFLINE');
  const active = snapshot?.active ?? [];
  const failed = snapshot?.failed ?? [];
  const { anomalies, others } = splitAlerts(snapshot?.alerts ?? []);
  const openAnomalies = snapshot?.openAnomalies ?? [];
  const alertLine = (a: OperatorAlert) => (
    <li key={`${a.at}-${a.code}-${a.sessionId ?? a.stationId ?? ''}`}>
      <code>{a.code}</code> · {a.stationId ? `${stationName(a.stationId)} · ` : ''}
      {a.sessionId ? `${shortId(a.sessionId)} · ` : ''}
      {a.detail} · {formatDateTime(a.at, locale)}
    </li>
  );

  return (
    <section aria-labelledby="operator-title" data-testid="operator-screen">
      <h1 id="operator-title">{t('operator.title')}</h1>
      <button type="button" onClick={load} data-testid="operator-refresh">
        {t('operator.refresh')}
      </button>
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
        {active.length === 0 ? (
          <p data-testid="operator-active-empty">{t('operator.activeEmpty')}</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="operator-active">
              <thead>
                <tr>
                  <th scope="col">{t('operator.colStation')}</th>
                  <th scope="col">{t('operator.colState')}</th>
                  <th scope="col">{t('operator.colEnergy')}</th>
                  <th scope="col">{t('operator.colPower')}</th>
                  <th scope="col">{t('operator.colDriver')}</th>
                  <th scope="col">{t('operator.colUpdated')}</th>
                </tr>
              </thead>
              <tbody>
                {active.map((s) => (
                  <tr key={s.id} data-testid={`operator-session-${s.id}`}>
                    <th scope="row">{stationName(s.stationId)}</th>
                    <td>
                      <code>{s.state}</code>
                    </td>
                    <td>{s.energyWh != null ? formatKwh(s.energyWh, locale) : '—'}</td>
                    <td>{s.powerW != null ? formatKw(s.powerW, locale) : '—'}</td>
                    <td title={s.driverId}>{shortId(s.driverId)}</td>
                    <td>{formatTime(s.updatedAt, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="op-failures" className="card">
        <h2 id="op-failures">{t('operator.failures')}</h2>
        {failed.length === 0 && troubledStations.length === 0 ? (
          <p data-testid="operator-failures-empty">{t('operator.failuresEmpty')}</p>
        ) : (
          <ul data-testid="operator-failures">
            {troubledStations.map((s) => (
              <li key={s.id}>
                {s.name} · {t(`station.status.${s.status}`)} · {s.unavailableReason ?? '—'}
                {s.updatedAt && ` · ${formatTime(s.updatedAt, locale)}`}
              </li>
            ))}
            {failed.map((s) => (
              <li key={s.id} data-testid={`operator-failed-${s.id}`}>
                {stationName(s.stationId)} · <code>{s.state}</code> · {s.failureCode ?? '—'}
                {s.failureMessage && ` (${s.failureMessage})`} · {formatDateTime(s.updatedAt, locale)}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="op-alerts" className="card">
        <h2 id="op-alerts">{t('operator.alerts')}</h2>
        {others.length === 0 ? (
          <p data-testid="operator-alerts-empty">{t('operator.alertsEmpty')}</p>
        ) : (
          <ul data-testid="operator-alerts">{others.map(alertLine)}</ul>
        )}
      </section>

      <section aria-labelledby="op-anomalies" className="card">
        <h2 id="op-anomalies">{t('operator.anomalies')}</h2>
        <p className="hint">{t('operator.anomaliesNote')}</p>
        <h3>{t('operator.anomaliesOpen')}</h3>
        {openAnomalies.length === 0 ? (
          <p data-testid="operator-anomalies-empty">
            <strong>{t('operator.anomaliesEmpty')}</strong>
          </p>
        ) : (
          <div className="table-wrap">
            <table data-testid="operator-anomalies">
              <thead>
                <tr>
                  <th scope="col">{t('operator.colKind')}</th>
                  <th scope="col">{t('operator.colSubject')}</th>
                  <th scope="col">{t('operator.colDetail')}</th>
                  <th scope="col">{t('operator.colFound')}</th>
                </tr>
              </thead>
              <tbody>
                {openAnomalies.map((a) => (
                  <tr key={a.id} data-testid={`operator-anomaly-${a.id}`}>
                    <th scope="row">
                      <code>{a.kind}</code>
                    </th>
                    <td title={a.subject}>{a.stationId ? stationName(a.stationId) : shortId(a.subject)}</td>
                    <td>
                      {a.detail}
                      <br />
                      <small>{evidenceLine(a.evidence)}</small>
                      <ReviewForm anomaly={a} onReviewed={load} />
                    </td>
                    <td>{formatDateTime(a.foundAt, locale)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {anomalies.length > 0 && (
          <>
            <h3>{t('operator.anomaliesAlerts')}</h3>
            <ul data-testid="operator-anomaly-alerts">{anomalies.map(alertLine)}</ul>
          </>
        )}
      </section>
    </section>
  );
}
