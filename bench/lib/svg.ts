/** A hand-written SVG bar chart (no dependencies): panels of grouped vertical bars, one colour per series. */

export interface BarPanel {
  readonly title: string;
  /** Groups along the x axis (e.g. "1 in flight"); each has one value per series, or undefined for none. */
  readonly groups: readonly { readonly label: string; readonly values: readonly (number | undefined)[] }[];
  /** How a value is printed above its bar. */
  readonly format: (value: number) => string;
}

const COLOURS = ['#2f6fdf', '#e07b22', '#3aa45b', '#c0392b', '#8e5bbf', '#7f8c8d'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function barChartSvg(title: string, series: readonly string[], panels: readonly BarPanel[], footnote = ''): string {
  const panelW = 900;
  const panelH = 260;
  const left = 60;
  const top = 70 + 22 * Math.ceil(series.length / 3);
  const gap = 60;
  const width = left + panelW + 30;
  const height = top + panels.length * (panelH + gap) + 30;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${left}" y="28" font-size="17" font-weight="bold">${esc(title)}</text>`);
  series.forEach((name, i) => {
    const x = left + (i % 3) * 300;
    const y = 52 + 22 * Math.floor(i / 3);
    out.push(`<rect x="${x}" y="${y - 11}" width="14" height="14" fill="${COLOURS[i % COLOURS.length]}"/><text x="${x + 20}" y="${y}">${esc(name)}</text>`);
  });
  panels.forEach((panel, p) => {
    const y0 = top + p * (panelH + gap);
    const max = Math.max(0, ...panel.groups.flatMap((g) => g.values.filter((v): v is number => v !== undefined && Number.isFinite(v))));
    const scale = max > 0 ? (panelH - 40) / max : 0;
    const baseY = y0 + panelH;
    out.push(`<text x="${left}" y="${y0}" font-size="14" font-weight="bold">${esc(panel.title)}</text>`);
    out.push(`<line x1="${left}" y1="${baseY}" x2="${left + panelW}" y2="${baseY}" stroke="#333"/>`);
    const groupW = panelW / Math.max(1, panel.groups.length);
    const barW = Math.min(60, (groupW - 40) / Math.max(1, series.length));
    panel.groups.forEach((group, g) => {
      const gx = left + g * groupW + (groupW - barW * series.length) / 2;
      out.push(`<text x="${left + g * groupW + groupW / 2}" y="${baseY + 18}" text-anchor="middle">${esc(group.label)}</text>`);
      group.values.forEach((value, s) => {
        if (value === undefined || !Number.isFinite(value)) return;
        const h = Math.max(1, value * scale);
        const x = gx + s * barW;
        out.push(`<rect x="${x.toFixed(1)}" y="${(baseY - h).toFixed(1)}" width="${(barW - 3).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLOURS[s % COLOURS.length]}"><title>${esc(`${series[s] ?? ''}: ${panel.format(value)}`)}</title></rect>`);
        out.push(`<text x="${(x + (barW - 3) / 2).toFixed(1)}" y="${(baseY - h - 4).toFixed(1)}" text-anchor="middle" font-size="10">${esc(panel.format(value))}</text>`);
      });
    });
  });
  if (footnote) out.push(`<text x="${left}" y="${height - 10}" font-size="11" fill="#555">${esc(footnote)}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
