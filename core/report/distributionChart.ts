// Inline SVG charts of a drift report: a reference-vs-current histogram (share of rows per bin, for numeric bins and
// for categories alike) and a chart of current values with their intervals against reference values.

import { escapeHtml, fmt, px } from './reportPage.js';

export const REFERENCE_COLOR = '#7f8fa6';
export const CURRENT_COLOR = '#d35400';

export interface HistogramChartData {
  title: string;
  /** One label per bin. */
  labels: string[];
  /** Reference share of rows per bin. */
  reference: number[];
  /** Current share of rows per bin. */
  current: number[];
  /** Bin index to mark with a dashed line on its left edge (e.g. the score threshold's bin). */
  marker?: { bin: number; label: string };
}

const HEIGHT = 240;
const M = { left: 44, right: 12, top: 30, bottom: 58 };

/** Labels of quantile bins from their interior edges: "< e0", "e0 – e1", …, "≥ e_last". */
export function binLabels(edges: readonly number[]): string[] {
  if (edges.length === 0) return ['all values'];
  const e = edges.map((v) => Number(v.toPrecision(3)).toString());
  return [`< ${e[0]}`, ...e.slice(1).map((v, i) => `${e[i]} – ${v}`), `≥ ${e[e.length - 1]}`];
}

/** Paired bars per bin (reference, current) on a linear share axis, with a legend and a tooltip per bar. */
export function histogramChart(data: HistogramChartData): string {
  const bins = data.labels.length;
  const width = Math.max(360, M.left + M.right + bins * 34);
  const plotW = width - M.left - M.right;
  const plotH = HEIGHT - M.top - M.bottom;
  const max = Math.max(0.05, ...data.reference, ...data.current);
  const top = Math.ceil(max * 10) / 10;
  const y = (share: number) => M.top + (1 - share / top) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${HEIGHT}" width="${width}" height="${HEIGHT}" role="img" aria-label="${escapeHtml(data.title)}">`,
    `<text x="${px(width / 2)}" y="16" text-anchor="middle" class="t">${escapeHtml(data.title)}</text>`,
  ];
  const grid: string[] = [];
  for (let k = 0; k <= 4; k++) {
    const v = (top * k) / 4;
    grid.push(`M${M.left},${px(y(v))}h${plotW}`);
    parts.push(`<text x="${M.left - 5}" y="${px(y(v) + 4)}" text-anchor="end">${fmt(v, 2)}</text>`);
  }
  parts.push(`<path d="${grid.join('')}" class="grid"/>`);
  const slot = plotW / Math.max(1, bins);
  const barW = Math.max(2, Math.min(18, slot / 2 - 2));
  const rotate = bins > 6 || data.labels.some((l) => l.length > 8);
  data.labels.forEach((label, i) => {
    const cx = M.left + slot * (i + 0.5);
    const bars: Array<[number, string, number, string]> = [
      [data.reference[i] ?? 0, REFERENCE_COLOR, cx - barW - 1, 'reference'],
      [data.current[i] ?? 0, CURRENT_COLOR, cx + 1, 'current'],
    ];
    for (const [share, color, left, which] of bars) {
      const h = Math.max(0, y(0) - y(share));
      parts.push(
        `<rect x="${px(left)}" y="${px(y(0) - h)}" width="${px(barW)}" height="${px(h)}" fill="${color}"><title>${escapeHtml(`${label}: ${which} ${fmt(share * 100, 1)}%`)}</title></rect>`,
      );
    }
    const short = label.length > 14 ? `${label.slice(0, 13)}…` : label;
    parts.push(
      rotate
        ? `<text transform="translate(${px(cx + 3)} ${px(y(0) + 8)}) rotate(40)" text-anchor="start">${escapeHtml(short)}</text>`
        : `<text x="${px(cx)}" y="${px(y(0) + 14)}" text-anchor="middle">${escapeHtml(short)}</text>`,
    );
  });
  if (data.marker && data.marker.bin >= 0 && data.marker.bin < bins) {
    const x = M.left + slot * data.marker.bin;
    parts.push(`<path d="M${px(x)},${M.top}V${px(y(0))}" stroke="#2c3e50" stroke-dasharray="4 3" fill="none"/>`);
    const right = x > width * 0.6;
    parts.push(
      `<text x="${px(right ? x - 3 : x + 3)}" y="${M.top + 10}" text-anchor="${right ? 'end' : 'start'}">${escapeHtml(data.marker.label)}</text>`,
    );
  }
  parts.push(`<path d="M${M.left},${M.top}V${px(y(0))}h${plotW}" class="axis"/>`);
  parts.push(
    `<text x="${width - 150}" y="${M.top - 4}" fill="${REFERENCE_COLOR}">■ reference</text><text x="${width - 75}" y="${M.top - 4}" fill="${CURRENT_COLOR}">■ current</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}

export interface IntervalRow {
  label: string;
  reference: number | null;
  current: number | null;
  interval: [number, number] | null;
  /** Drawn hollow: an estimate rather than a measurement. */
  estimated: boolean;
}

/** One row per value on a [0, 1] axis: the current value with its interval (whisker) and the reference (a tick). */
export function intervalChart(title: string, rows: readonly IntervalRow[]): string {
  const width = 520;
  const left = 190;
  const right = 16;
  const rowH = 26;
  const height = 40 + rows.length * rowH + 26;
  const x = (v: number) => left + Math.min(1, Math.max(0, v)) * (width - left - right);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="${width / 2}" y="16" text-anchor="middle" class="t">${escapeHtml(title)}</text>`,
  ];
  const axisY = 34 + rows.length * rowH;
  const grid: string[] = [];
  for (let k = 0; k <= 4; k++) {
    grid.push(`M${px(x(k / 4))},30V${axisY}`);
    parts.push(`<text x="${px(x(k / 4))}" y="${axisY + 14}" text-anchor="middle">${k / 4}</text>`);
  }
  parts.push(`<path d="${grid.join('')}" class="grid"/>`);
  rows.forEach((r, i) => {
    const cy = 40 + i * rowH + rowH / 2 - 6;
    parts.push(`<text x="${left - 8}" y="${px(cy + 4)}" text-anchor="end">${escapeHtml(r.label)}</text>`);
    if (r.interval)
      parts.push(`<path d="M${px(x(r.interval[0]))},${px(cy)}H${px(x(r.interval[1]))}" stroke="${CURRENT_COLOR}" stroke-width="2"/>`);
    if (r.reference !== null)
      parts.push(
        `<path d="M${px(x(r.reference))},${px(cy - 8)}v16" stroke="${REFERENCE_COLOR}" stroke-width="3"><title>reference ${fmt(r.reference)}</title></path>`,
      );
    if (r.current !== null)
      parts.push(
        `<circle cx="${px(x(r.current))}" cy="${px(cy)}" r="5" fill="${r.estimated ? '#fff' : CURRENT_COLOR}" stroke="${CURRENT_COLOR}" stroke-width="2"><title>${escapeHtml(`${r.label}: ${fmt(r.current)}`)}</title></circle>`,
      );
  });
  parts.push(
    `<text x="${left}" y="${height - 4}" fill="${REFERENCE_COLOR}">▮ reference</text><text x="${left + 80}" y="${height - 4}" fill="${CURRENT_COLOR}">● labelled  ○ estimated, with interval</text>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
