import type { SeriesPoint } from '../types.js';
import { formatClock } from '../format.js';

const SERIES = [
  { key: 'allow', label: 'Calls allowed', className: 'line-allow' },
  { key: 'deny', label: 'Denied', className: 'line-deny' },
  { key: 'limit', label: 'Rate limited', className: 'line-limit' },
  { key: 'hold', label: 'Held for approval', className: 'line-hold' },
] as const;

const W = 720;
const H = 220;
const PAD = { left: 36, right: 12, top: 12, bottom: 26 };

/** A line per decision kind over time, drawn as SVG (scales with its box through the viewBox). */
export function Chart({ series }: { series: SeriesPoint[] }) {
  const max = Math.max(1, ...series.flatMap((p) => SERIES.map((s) => p[s.key])));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (series.length <= 1 ? innerW / 2 : (i / (series.length - 1)) * innerW);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const ticks = [0, Math.round(max / 2), max].filter((v, i, all) => all.indexOf(v) === i);
  const labelEvery = Math.max(1, Math.ceil(series.length / 6));
  const totals = SERIES.map((s) => `${s.label}: ${series.reduce((n, p) => n + p[s.key], 0)}`).join(', ');
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Decisions over time. ${totals}`}>
        {ticks.map((v) => (
          <g key={v}>
            <line className="grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text className="axis" x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
              {v}
            </text>
          </g>
        ))}
        {series.map((p, i) =>
          i % labelEvery === 0 ? (
            <text key={p.t} className="axis" x={x(i)} y={H - 6} textAnchor="middle">
              {formatClock(p.t)}
            </text>
          ) : null,
        )}
        {SERIES.map((s) => (
          <polyline key={s.key} className={`line ${s.className}`} fill="none" points={series.map((p, i) => `${x(i).toFixed(1)},${y(p[s.key]).toFixed(1)}`).join(' ')} />
        ))}
      </svg>
      <figcaption className="legend">
        {SERIES.map((s) => (
          <span key={s.key}>
            <span className={`swatch ${s.className}`} aria-hidden="true" /> {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
