import type { Station } from '../api/schemas.js';
import { useI18n } from '../i18n/i18n-context.js';
import type { MessageKey } from '../i18n/translate.js';
import { formatKw, formatMilliYen, formatPerKwh, formatRating, formatYen } from '../lib/format.js';
import { type StationTone, stationView } from '../lib/station-view.js';

export const TONE_GLYPH: Record<StationTone, string> = { ok: '✓', busy: '⚡', down: '✕' };

export interface StartProblem {
  key: MessageKey;
  notCharged: boolean;
  canRetry: boolean;
}

interface Props {
  station: Station;
  blocked: boolean;
  starting: boolean;
  problem?: StartProblem;
  onStart: (station: Station) => void;
}

export function StationCard({ station, blocked, starting, problem, onStart }: Props) {
  const { t, locale } = useI18n();
  const view = stationView(station);
  const { tariff } = station;
  const headingId = `station-${station.id}-name`;
  return (
    <article
      className={`card station tone-${view.tone}`}
      aria-labelledby={headingId}
      data-testid={`station-${station.id}`}
      data-status={station.status}
    >
      <header className="station-head">
        <h3 id={headingId}>{station.name}</h3>
        <span className={`badge tone-${view.tone}`} data-testid={`station-${station.id}-status`}>
          <span aria-hidden="true">{TONE_GLYPH[view.tone]} </span>
          {t(view.statusKey)}
        </span>
      </header>
      {view.reason && (
        <p className="reason" data-testid={`station-${station.id}-reason`}>
          {'key' in view.reason ? t(view.reason.key) : view.reason.text}
        </p>
      )}
      <ul className="facts">
        <li>
          {t(`station.model.${station.model}`)} · {t('station.rating', { power: formatRating(station.ratedW, locale) })}{' '}
          · {station.voltageV} V
        </li>
        {station.status === 'CHARGING' && station.powerW != null && (
          <li>{t('station.powerNow', { power: formatKw(station.powerW, locale) })}</li>
        )}
        <li data-testid={`station-${station.id}-price`}>
          {t('station.price')}: {formatPerKwh(tariff.milliYenPerKwh)}
          {tariff.sessionFeeYen > 0 && <> · {t('station.sessionFee', { fee: formatYen(tariff.sessionFeeYen) })}</>}
          {tariff.milliYenPerMinute > 0 && (
            <> · {t('station.minuteFee', { fee: formatMilliYen(tariff.milliYenPerMinute) })}</>
          )}
        </li>
      </ul>
      {problem && (
        <div className="alert" role="alert" data-testid={`station-${station.id}-error`}>
          <p>{t(problem.key)}</p>
          {problem.notCharged && <p>{t('start.notCharged')}</p>}
        </div>
      )}
      <button
        type="button"
        className="primary start"
        data-testid={`start-${station.id}`}
        aria-label={t('station.startNamed', { name: station.name })}
        disabled={!view.canStart || blocked || starting}
        aria-busy={starting}
        onClick={() => onStart(station)}
      >
        {starting ? t('station.starting') : problem?.canRetry ? t('api.retry') : t('station.start')}
      </button>
    </article>
  );
}
