import { useId } from 'react';
import { useI18n } from '../i18n/i18n-context.js';
import { formatKw } from '../lib/format.js';
import { type PowerSample, scalePowerChart } from '../lib/power-chart-scale.js';

const WINDOW_MINUTES = 10;
const BOX = { width: 300, height: 120 };
const PAD = { left: 34, right: 8, top: 8, bottom: 8 };

interface Props {
  samples: readonly PowerSample[];
  ratedW: number;
  nowMs: number;
  currentW: number;
}

/** A small hand-drawn SVG chart of kW over the last minutes; the numbers are also given as text. */
export function PowerChart({ samples, ratedW, nowMs, currentW }: Props) {
  const { t, locale } = useI18n();
  const titleId = useId();
  const descId = useId();
  // A server clock slightly ahead of the phone must not push the newest reading off the right edge.
  const endMs = Math.max(nowMs, samples.at(-1)?.atMs ?? 0);
  const geometry = scalePowerChart(samples, { nowMs: endMs, windowMs: WINDOW_MINUTES * 60_000, ratedW, box: BOX });
  const kwFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  return (
    <figure className="chart" data-testid="power-chart" data-points={samples.length}>
      <svg
        viewBox={`0 0 ${BOX.width + PAD.left + PAD.right} ${BOX.height + PAD.top + PAD.bottom}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={titleId}>{t('session.chartTitle')}</title>
        <desc id={descId}>
          {t('session.chartDesc', { minutes: WINDOW_MINUTES, power: formatKw(currentW, locale) })}
        </desc>
        <g transform={`translate(${PAD.left} ${PAD.top})`}>
          {geometry.gridLines.map((line) => (
            <g key={line.kw} className="grid">
              <line x1={0} x2={BOX.width} y1={line.y} y2={line.y} />
              <text x={-6} y={line.y} dy="0.35em" textAnchor="end">
                {kwFormat.format(line.kw)}
              </text>
            </g>
          ))}
          {geometry.areaPath && <path className="area" d={geometry.areaPath} />}
          {geometry.linePath && <path className="line" d={geometry.linePath} data-testid="power-line" />}
        </g>
      </svg>
      <figcaption>{geometry.linePath ? `${t('session.chartTitle')} (kW)` : t('session.chartEmpty')}</figcaption>
    </figure>
  );
}
