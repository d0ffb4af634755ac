import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChargingSession, Me, Station } from '../api/schemas.js';
import { useServices } from '../app/services.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/translate.js';
import { toApiError } from '../lib/api-errors.js';
import type { Route } from '../lib/route.js';
import { isOngoing, sessionStateView } from '../lib/session-view.js';
import { StartIntents } from '../lib/start-intent.js';
import { mergeStation } from '../lib/station-view.js';
import { SiteMap } from './site-map.js';
import { type StartProblem, StationCard } from './station-card.js';

interface Props {
  me: Me;
  navigate: (route: Route) => void;
  refreshMe: () => void;
}

type ViewMode = 'list' | 'map';

export function StationsScreen({ me, navigate, refreshMe }: Props) {
  const { t } = useI18n();
  const { api, openExternal } = useServices();
  const [stations, setStations] = useState<Station[] | null>(null);
  const [loadError, setLoadError] = useState<MessageKey | null>(null);
  const [ongoing, setOngoing] = useState<ChargingSession | null>(null);
  const [mode, setMode] = useState<ViewMode>('list');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [starting, setStarting] = useState<ReadonlySet<string>>(new Set());
  const [problems, setProblems] = useState<Readonly<Record<string, StartProblem>>>({});
  const intents = useRef(new StartIntents(() => crypto.randomUUID()));

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      setStations(await api.stations());
    } catch (thrown) {
      setLoadError(toApiError(thrown).messageKey);
    }
  }, [api]);

  useEffect(() => {
    void load();
    const stop = api.onStationUpdate(
      (station) => setStations((current) => (current ? mergeStation(current, station) : current)),
      () => undefined,
    );
    api
      .mySessions(5)
      // An abandoned Checkout stays AWAITING_PAYMENT_METHOD until Stripe expires it: not worth a banner.
      .then((page) =>
        setOngoing(page.items.find((s) => isOngoing(s.state) && s.state !== 'AWAITING_PAYMENT_METHOD') ?? null),
      )
      .catch(() => setOngoing(null));
    return stop;
  }, [api, load]);

  async function start(station: Station) {
    const key = intents.current.begin(station.id);
    if (key === null) return;
    setStarting((s) => new Set(s).add(station.id));
    setProblems(({ [station.id]: _cleared, ...rest }) => rest);
    try {
      const result = await api.startCharge(station.id, key);
      intents.current.settle(station.id, 'answered');
      // No saved card yet: Checkout saves one and returns to `/?session=<id>`, where the live view picks up.
      if (result.checkoutUrl) openExternal(result.checkoutUrl);
      else navigate({ name: 'session', id: result.session.id });
    } catch (thrown) {
      const error = toApiError(thrown);
      intents.current.settle(station.id, error.isDefinite ? 'answered' : 'unanswered');
      setProblems((p) => ({
        ...p,
        [station.id]: { key: error.messageKey, notCharged: error.isDefinite, canRetry: !error.isDefinite },
      }));
      if (error.code === 'PAYMENT.REQUIRED') refreshMe();
    } finally {
      setStarting((s) => {
        const next = new Set(s);
        next.delete(station.id);
        return next;
      });
    }
  }

  const card = (station: Station) => (
    <StationCard
      key={station.id}
      station={station}
      blocked={me.blocked}
      starting={starting.has(station.id)}
      problem={problems[station.id]}
      onStart={start}
    />
  );
  const selected = stations?.find((s) => s.id === selectedId);

  return (
    <section aria-labelledby="stations-title" data-testid="stations-screen">
      <div className="screen-head">
        <h1 id="stations-title">{t('stations.title')}</h1>
        <fieldset className="segmented">
          <legend className="sr-only">{t('stations.viewLabel')}</legend>
          {(['list', 'map'] as const).map((m) => (
            <button
              key={m}
              type="button"
              aria-pressed={mode === m}
              data-testid={`view-${m}`}
              onClick={() => setMode(m)}
            >
              {t(m === 'list' ? 'stations.viewList' : 'stations.viewMap')}
            </button>
          ))}
        </fieldset>
      </div>
      {ongoing && (
        <div className="card ongoing" data-testid="ongoing-session">
          <p>
            <strong>{t('stations.ongoing')}</strong> — {t(sessionStateView(ongoing.state).labelKey)}
          </p>
          <button
            type="button"
            data-testid="open-ongoing"
            onClick={() => navigate({ name: 'session', id: ongoing.id })}
          >
            {t('stations.openSession')}
          </button>
        </div>
      )}
      {loadError && (
        <div className="alert" role="alert">
          <p>{t(loadError)}</p>
          <button type="button" onClick={() => void load()}>
            {t('api.retry')}
          </button>
        </div>
      )}
      {!stations && !loadError && <p aria-live="polite">{t('common.loading')}</p>}
      {stations && stations.length === 0 && <p data-testid="stations-empty">{t('stations.empty')}</p>}
      {stations && mode === 'list' && (
        <div className="station-list" data-testid="station-list">
          {stations.map(card)}
        </div>
      )}
      {stations && mode === 'map' && (
        <>
          <SiteMap stations={stations} selectedId={selectedId} onSelect={setSelectedId} />
          {selected && <div aria-live="polite">{card(selected)}</div>}
        </>
      )}
    </section>
  );
}
