import { useCallback, useEffect, useState } from 'react';
import type { ChargingSession } from '../api/schemas.js';
import { useServices } from '../app/services.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/translate.js';
import { toApiError } from '../lib/api-errors.js';
import { formatDateTime, formatKwh, formatYen } from '../lib/format.js';
import type { Route } from '../lib/route.js';
import { sessionStateView } from '../lib/session-view.js';

const PAGE_SIZE = 20;

function amountOf(session: ChargingSession): number | null {
  return session.receipt?.chargedYen ?? session.amountYen ?? null;
}

export function HistoryScreen({ navigate }: { navigate: (route: Route) => void }) {
  const { t, locale } = useI18n();
  const { api } = useServices();
  const [items, setItems] = useState<ChargingSession[] | null>(null);
  const [nextToken, setNextToken] = useState<string | null>(null);
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<MessageKey | null>(null);

  const loadPage = useCallback(
    async (token: string | null) => {
      setBusy(true);
      setError(null);
      try {
        const page = await api.mySessions(PAGE_SIZE, token);
        setItems((current) => (token && current ? [...current, ...page.items] : page.items));
        setNextToken(page.nextToken ?? null);
      } catch (thrown) {
        setError(toApiError(thrown).messageKey);
      } finally {
        setBusy(false);
      }
    },
    [api],
  );

  useEffect(() => {
    void loadPage(null);
    api
      .stations()
      .then((stations) => setNames(new Map(stations.map((s) => [s.id, s.name]))))
      .catch(() => undefined);
  }, [api, loadPage]);

  return (
    <section aria-labelledby="history-title" data-testid="history-screen">
      <h1 id="history-title">{t('history.title')}</h1>
      {error && (
        <p className="alert" role="alert">
          {t(error)}
        </p>
      )}
      {!items && !error && <p aria-live="polite">{t('common.loading')}</p>}
      {items && items.length === 0 && <p data-testid="history-empty">{t('history.empty')}</p>}
      {items && items.length > 0 && (
        <ul className="history" data-testid="history-list">
          {items.map((session) => {
            const view = sessionStateView(session.state);
            const amount = amountOf(session);
            const date = formatDateTime(session.startedAt ?? session.createdAt, locale);
            return (
              <li key={session.id}>
                <button
                  type="button"
                  className={`history-item tone-${view.tone}`}
                  data-testid={`history-${session.id}`}
                  aria-label={t('history.open', { date })}
                  onClick={() => navigate({ name: 'session', id: session.id })}
                >
                  {/* Grid order: date | state on the first row, station | figures on the second. */}
                  <span className="history-date">{date}</span>
                  <span className="history-state">{t(view.labelKey)}</span>
                  <span className="history-station">{names.get(session.stationId) ?? session.stationId}</span>
                  <span className="history-figures">
                    {session.energyWh != null && formatKwh(session.energyWh, locale)}
                    {amount != null && ` · ${formatYen(amount)}`}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      {nextToken && (
        <button type="button" data-testid="history-more" disabled={busy} onClick={() => void loadPage(nextToken)}>
          {t('history.loadMore')}
        </button>
      )}
    </section>
  );
}
