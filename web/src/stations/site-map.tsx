import type { Station } from '../api/schemas.js';
import { useI18n } from '../i18n/i18n-context.js';
import { groupBySite, stationView } from '../lib/station-view.js';
import { TONE_GLYPH } from './station-card.js';

interface Props {
  stations: readonly Station[];
  selectedId: string | null;
  onSelect: (id: string) => void;
}

/** A map-like view: each site drawn as a row of parking bays, coloured and labelled by status. */
export function SiteMap({ stations, selectedId, onSelect }: Props) {
  const { t } = useI18n();
  return (
    <div className="site-map" data-testid="site-map">
      {groupBySite(stations).map(([site, list]) => (
        <section key={site} className="site" aria-label={t('station.mapLabel', { site })}>
          <h3>{site}</h3>
          <ul className="bays">
            {list.map((station) => {
              const view = stationView(station);
              return (
                <li key={station.id}>
                  <button
                    type="button"
                    className={`bay tone-${view.tone}`}
                    aria-pressed={selectedId === station.id}
                    data-testid={`bay-${station.id}`}
                    onClick={() => onSelect(station.id)}
                  >
                    <span className="bay-glyph" aria-hidden="true">
                      {TONE_GLYPH[view.tone]}
                    </span>
                    <span className="bay-name">{station.name}</span>
                    <span className="bay-status">{t(view.statusKey)}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </section>
      ))}
    </div>
  );
}
