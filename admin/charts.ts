// Charts for the figures page, drawn on the server as SVG (no script, no library from elsewhere, nothing the CSP has to
// allow): horizontal bars, so that long Japanese names sit on one line beside their bar, and the number written at the
// end of each bar. Each chart is one image with a title for screen readers; the same numbers are in the table that
// follows it on the page, which is what a screen reader reads.
import { html } from '../core/html.ts';
import type { SafeHtml } from '../core/html.ts';

export interface Series {
  readonly name: string;
  /** A fill with at least 3:1 contrast against white (WCAG 1.4.11). */
  readonly color: string;
}

export interface Bar {
  readonly label: string;
  /** One value per series, stacked left to right. */
  readonly values: ReadonlyArray<number>;
}

/** Colours told apart also by people with the common colour-vision differences (Okabe–Ito, darkened for contrast). */
export const PALETTE = ['#0b5fa5', '#b35900', '#1b7a3a', '#8e3b8e', '#5f6b00'] as const;

const ROW = 34;
const LABEL_WIDTH = 190;
const BAR_WIDTH = 420;
const NUMBER_WIDTH = 90;

const fmt = (n: number) => (Number.isInteger(n) ? n.toLocaleString('ja-JP') : n.toLocaleString('ja-JP', { maximumFractionDigits: 1 }));

/** Cuts a label that would run over its column (about 11 full-width characters), with the whole in its tooltip. */
function fitted(label: string): { shown: string; cut: boolean } {
  let width = 0;
  let i = 0;
  for (const ch of label) {
    width += ch.charCodeAt(0) < 0x100 ? 0.55 : 1;
    if (width > 11) return { shown: `${[...label].slice(0, i).join('')}…`, cut: true };
    i++;
  }
  return { shown: label, cut: false };
}

/**
 * A horizontal bar chart. `id` names its title for aria-labelledby; `unit` follows each number (件, 分).
 * With several series the legend says which colour is which.
 */
export function barChart(o: { id: string; title: string; bars: ReadonlyArray<Bar>; series: ReadonlyArray<Series>; unit: string }): SafeHtml {
  const max = Math.max(1, ...o.bars.map((b) => b.values.reduce((a, v) => a + v, 0)));
  const legend = o.series.length > 1 ? 28 : 0;
  const height = legend + Math.max(1, o.bars.length) * ROW + 8;
  const width = LABEL_WIDTH + BAR_WIDTH + NUMBER_WIDTH;
  const rows = o.bars.map((b, i) => {
    const y = legend + i * ROW;
    let x = LABEL_WIDTH;
    const total = b.values.reduce((a, v) => a + v, 0);
    const segments = b.values.map((v, s) => {
      const w = (v / max) * BAR_WIDTH;
      const rect =
        w > 0
          ? html`<rect x="${x.toFixed(1)}" y="${y + 6}" width="${w.toFixed(1)}" height="${ROW - 12}" fill="${o.series[s]?.color ?? PALETTE[0]}"></rect>`
          : '';
      x += w;
      return rect;
    });
    const { shown, cut } = fitted(b.label);
    return html`<g><text x="${LABEL_WIDTH - 8}" y="${y + ROW / 2 + 6}" text-anchor="end">${cut ? html`<title>${b.label}</title>` : ''}${shown}</text>${segments}<text x="${(x + 6).toFixed(1)}" y="${y + ROW / 2 + 6}">${fmt(total)}${o.unit}</text></g>`;
  });
  const legendItems = o.series.map(
    (s, i) =>
      html`<rect x="${LABEL_WIDTH + i * 150}" y="4" width="16" height="16" fill="${s.color}"></rect><text x="${LABEL_WIDTH + i * 150 + 22}" y="18">${s.name}</text>`,
  );
  const empty = o.bars.length === 0 ? html`<text x="${LABEL_WIDTH}" y="${ROW / 2 + 6}">まだありません</text>` : '';
  return html`<svg class="chart" role="img" aria-labelledby="${o.id}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" font-size="16" font-family="system-ui, 'Hiragino Sans', 'Noto Sans JP', sans-serif" fill="#1a1a1a"><title id="${o.id}">${o.title}</title>${legend ? legendItems : ''}${rows}${empty}</svg>`;
}
