import { useEffect, useState } from 'react';
import type { Station } from '../api/schemas.js';
import { useServices } from '../app/services.js';
import { PayNowButton } from '../billing/balance-banner.js';
import { useI18n } from '../i18n/i18n-context.js';
import { formatDateTime, formatElapsed, formatKw, formatKwh, formatYen } from '../lib/format.js';
import type { CheckoutReturn, Route } from '../lib/route.js';
import { elapsedMs, moneyProblem, sessionStateView, startFailure } from '../lib/session-view.js';
import { PowerChart } from './power-chart.js';
import { ReceiptCard } from './receipt-card.js';
import { StopControl } from './stop-control.js';
import { useLiveSession, useNow } from './use-live-session.js';

interface Props {
  id: string;
  checkout?: CheckoutReturn;
  navigate: (route: Route) => void;
  refreshMe: () => void;
}

export function SessionScreen({ id, checkout, navigate, refreshMe }: Props) {
  const { t, locale } = useI18n();
  const { api } = useServices();
  // `?checkout=success` means "back from paying" only when the session already owed money on arrival
  // (Pay now). Back from saving a card at the first start, a later decline must still be explained.
  const [backFromPayNow, setBackFromPayNow] = useState<boolean | null>(null);
  const { session, samples, error, accept } = useLiveSession(id, backFromPayNow === true);
  const [station, setStation] = useState<Station | null>(null);
  const view = session ? sessionStateView(session.state) : null;
  const owedOnArrival = backFromPayNow ?? (checkout === 'success' && view !== null && view.needsPayment);
  useEffect(() => {
    if (backFromPayNow === null && view) setBackFromPayNow(owedOnArrival);
  }, [backFromPayNow, view, owedOnArrival]);
  const now = useNow(view?.showsLiveFigures ?? false);

  const stationId = session?.stationId;
  useEffect(() => {
    if (!stationId) return;
    api
      .station(stationId)
      .then(setStation)
      .catch(() => setStation(null));
  }, [api, stationId]);

  // Money owed or settled changes the driver's balance and whether new sessions are blocked.
  const settledOrOwing = view ? view.settled || view.needsPayment : false;
  useEffect(() => {
    if (settledOrOwing) refreshMe();
  }, [settledOrOwing, refreshMe]);

  if (error) {
    return (
      <section className="card" data-testid="session-screen">
        <p className="alert" role="alert" data-testid="session-error">
          {t(error)}
        </p>
        <BackButton navigate={navigate} />
      </section>
    );
  }
  if (!session || !view) {
    return (
      <p aria-live="polite" data-testid="session-loading">
        {t('session.loading')}
      </p>
    );
  }

  // Back from paying on the hosted page: the webhook has not landed yet, so do not ask again.
  const confirmingPayment = owedOnArrival && view.needsPayment;
  const problem = confirmingPayment ? undefined : moneyProblem(session);
  const failure = startFailure(session);
  const powerW = session.powerW ?? 0;
  return (
    <section aria-labelledby="session-title" data-testid="session-screen" data-state={session.state}>
      <h1 id="session-title">{t('session.title')}</h1>
      {checkout === 'cancelled' && session.state !== 'CHARGING' && (
        <p className="notice" role="status" data-testid="checkout-cancelled">
          {t('session.checkoutCancelled')}
        </p>
      )}
      <div className={`card status tone-${view.tone}`} aria-live="polite" data-testid="session-status">
        <p className="state-label" data-testid="session-state">
          {view.tone === 'progress' && <span className="spinner" aria-hidden="true" />}
          {t(view.labelKey)}
        </p>
        {view.hintKey && <p className="hint">{t(view.hintKey)}</p>}
        {view.notCharged && (
          <p className="reassure" data-testid="not-charged">
            {t('session.notCharged')}
          </p>
        )}
        {failure && (
          <p className="hint" data-testid="start-failure">
            {t(failure)}
          </p>
        )}
        {problem && (
          <p className="alert-inline" data-testid="money-problem">
            {t(problem)}
          </p>
        )}
        {confirmingPayment && (
          <p className="notice" data-testid="confirming-payment">
            {t('banner.paidReturn')}
          </p>
        )}
        {view.needsPayment && !confirmingPayment && <PayNowButton />}
        {/* One fact per line: long bay names and times do not break mid-word on a phone. */}
        <p className="meta">
          {t('session.station')}: {station?.name ?? session.stationId}
        </p>
        {(session.startedAt || session.endedAt) && (
          <p className="meta">
            {session.startedAt && (
              <span className="nowrap">
                {t('session.startedAt')} {formatDateTime(session.startedAt, locale)}
              </span>
            )}
            {session.startedAt && session.endedAt && ' · '}
            {session.endedAt && (
              <span className="nowrap">
                {t('session.endedAt')} {formatDateTime(session.endedAt, locale)}
              </span>
            )}
          </p>
        )}
      </div>

      {view.showsLiveFigures && (
        <>
          <dl className="figures" data-testid="live-figures">
            <div>
              <dt>{t('session.elapsed')}</dt>
              <dd data-testid="live-elapsed">{formatElapsed(elapsedMs(session, now))}</dd>
            </div>
            <div>
              <dt>{t('session.energy')}</dt>
              <dd data-testid="live-energy" data-wh={session.energyWh ?? 0}>
                {formatKwh(session.energyWh ?? 0, locale)}
              </dd>
            </div>
            <div>
              <dt>{t('session.power')}</dt>
              <dd data-testid="live-power">{formatKw(powerW, locale)}</dd>
            </div>
            <div>
              <dt>{t('session.cost')}</dt>
              <dd data-testid="live-cost">{formatYen(session.runningCostYen ?? 0)}</dd>
            </div>
            {(session.exposureCapYen != null || session.exposureCapWh != null) && (
              <div className="wide">
                <dt>{t('session.cap')}</dt>
                <dd data-testid="live-cap">
                  {t('session.capValue', {
                    value: [
                      session.exposureCapYen != null ? formatYen(session.exposureCapYen) : null,
                      session.exposureCapWh != null ? formatKwh(session.exposureCapWh, locale) : null,
                    ]
                      .filter((v) => v !== null)
                      .join(' / '),
                  })}
                </dd>
              </div>
            )}
          </dl>
          <PowerChart samples={samples} ratedW={station?.ratedW ?? 3000} nowMs={now} currentW={powerW} />
        </>
      )}
      {view.canStop && <StopControl sessionId={session.id} onStopped={accept} />}
      {view.showsReceipt && <ReceiptCard session={session} receipt={session.receipt} />}
      <BackButton navigate={navigate} />
    </section>
  );
}

function BackButton({ navigate }: { navigate: (route: Route) => void }) {
  const { t } = useI18n();
  return (
    <button
      type="button"
      className="link back"
      data-testid="back-to-stations"
      onClick={() => navigate({ name: 'stations' })}
    >
      {t('session.back')}
    </button>
  );
}
