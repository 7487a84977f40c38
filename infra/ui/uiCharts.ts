// Small inline SVG charts of the UI pages: per-class recall and precision with the recall interval, a model's
// timeline of drift events, promotions and rollbacks, a canary's traffic weight per window, and a run's stage bars.

import type { RunModelEvidence } from '../../data/registryBrowse.js';
import { fixed, html, type Html } from './uiHtml.js';

const px = (v: number) => (Math.round(v * 10) / 10).toString();
const COLOURS = { recall: '#2680c2', precision: '#f0b429', champion: '#9fb3c8', drift: '#de911d', promote: '#27ab83', rollback: '#e12d39' };

/** Per class, recall and precision bars of each model (challenger first), the recall's 95% interval as a whisker. */
export function classMetricChart(models: RunModelEvidence[]): Html {
  const rows = models.flatMap((m) => m.perClass.map((c) => ({ m, c })));
  if (rows.length === 0) return html``;
  const left = 190;
  const width = 560;
  const barH = 9;
  const rowH = 30;
  const height = rows.length * rowH + 34;
  const x = (v: number) => left + v * (width - left - 20);
  const bars = rows.map(({ m, c }, i) => {
    const y = 22 + i * rowH;
    const label = `${m.role} ${m.version === null ? '' : `v${m.version} `}${c.cls}`;
    const recallColour = m.role === 'challenger' ? COLOURS.recall : COLOURS.champion;
    return html`<text x="${left - 8}" y="${px(y + barH + 2)}" text-anchor="end">${label}</text>
      <rect x="${left}" y="${y}" width="${px(x(c.recall ?? 0) - left)}" height="${barH}" fill="${recallColour}"
        ><title>recall ${fixed(c.recall)}</title></rect
      >
      <rect x="${left}" y="${y + barH + 2}" width="${px(x(c.precision ?? 0) - left)}" height="${barH}" fill="${COLOURS.precision}"
        ><title>precision ${fixed(c.precision)}</title></rect
      >
      ${
        c.recallLower !== null && c.recallUpper !== null
          ? html`<line
              x1="${px(x(c.recallLower))}"
              x2="${px(x(c.recallUpper))}"
              y1="${y + barH / 2}"
              y2="${y + barH / 2}"
              stroke="#102a43"
              stroke-width="1.5"
              ><title>recall 95% ${fixed(c.recallLower)}–${fixed(c.recallUpper)}</title></line
            >`
          : ''
      }`;
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map(
    (t) =>
      html`<line x1="${px(x(t))}" x2="${px(x(t))}" y1="16" y2="${height - 16}" stroke="#e4e7eb" /><text
          x="${px(x(t))}"
          y="${height - 4}"
          text-anchor="middle"
          >${t}</text
        >`,
  );
  return html`<svg
    xmlns="http://www.w3.org/2000/svg"
    width="${width}"
    height="${height}"
    viewBox="0 0 ${width} ${height}"
    role="img"
    aria-label="recall and precision per class"
    font-size="11"
    font-family="system-ui,sans-serif"
  >
    ${ticks}${bars}
    <rect x="${left}" y="2" width="10" height="8" fill="${COLOURS.recall}" />
    <text x="${left + 14}" y="10">recall (95% interval)</text>
    <rect x="${left + 150}" y="2" width="10" height="8" fill="${COLOURS.precision}" />
    <text x="${left + 164}" y="10">precision</text>
  </svg>`;
}

export interface TimelineMark {
  at: string;
  kind: 'drift' | 'promote' | 'rollback';
  label: string;
}

/** Events on one time axis: drift as orange dots, promotions green, rollbacks red, each with its label on hover. */
export function timelineChart(marks: TimelineMark[]): Html {
  const points = marks.map((m) => ({ ...m, t: Date.parse(m.at) })).filter((m) => Number.isFinite(m.t));
  if (points.length === 0) return html``;
  const width = 760;
  const height = 92;
  const t0 = Math.min(...points.map((p) => p.t));
  const t1 = Math.max(...points.map((p) => p.t));
  const span = t1 - t0 || 1;
  const x = (t: number) => 30 + ((t - t0) / span) * (width - 60);
  const lane = { drift: 30, promote: 52, rollback: 52 };
  const dots = points.map(
    (p) =>
      html`<circle cx="${px(x(p.t))}" cy="${lane[p.kind]}" r="6" fill="${COLOURS[p.kind]}" fill-opacity="0.85"
        ><title>${p.at} ${p.kind}: ${p.label}</title></circle
      >`,
  );
  return html`<svg
    xmlns="http://www.w3.org/2000/svg"
    width="${width}"
    height="${height}"
    viewBox="0 0 ${width} ${height}"
    role="img"
    aria-label="drift and promotion timeline"
    font-size="11"
    font-family="system-ui,sans-serif"
  >
    <line x1="30" x2="${width - 30}" y1="68" y2="68" stroke="#9fb3c8" />
    <text x="30" y="84">${new Date(t0).toISOString()}</text>
    <text x="${width - 30}" y="84" text-anchor="end">${new Date(t1).toISOString()}</text>
    <circle cx="${width - 250}" cy="10" r="5" fill="${COLOURS.drift}" />
    <text x="${width - 241}" y="14">drift</text>
    <circle cx="${width - 190}" cy="10" r="5" fill="${COLOURS.promote}" />
    <text x="${width - 181}" y="14">promotion</text>
    <circle cx="${width - 100}" cy="10" r="5" fill="${COLOURS.rollback}" />
    <text x="${width - 91}" y="14">rollback</text>
    ${dots}
  </svg>`;
}

interface WindowLike {
  step?: unknown;
  weight?: unknown;
  decision?: unknown;
}

/** One bar per canary window: its height the challenger's traffic weight, its colour the window's decision. */
export function canaryChart(windows: unknown): Html {
  const list = (Array.isArray(windows) ? windows : []) as WindowLike[];
  if (list.length === 0) return html``;
  const width = Math.max(200, 40 + list.length * 60);
  const height = 110;
  const bars = list.map((w, i) => {
    const weight = typeof w.weight === 'number' ? w.weight : 0;
    const h = weight * 70;
    const colour = w.decision === 'promote' ? COLOURS.promote : w.decision === 'rollback' ? COLOURS.rollback : COLOURS.drift;
    return html`<rect x="${30 + i * 60}" y="${px(85 - h)}" width="40" height="${px(Math.max(h, 1))}" fill="${colour}"
        ><title>window ${i + 1}: weight ${weight}, ${String(w.decision ?? '')}</title></rect
      >
      <text x="${50 + i * 60}" y="100" text-anchor="middle">${Math.round(weight * 100)}%</text>`;
  });
  return html`<svg
    xmlns="http://www.w3.org/2000/svg"
    width="${width}"
    height="${height}"
    viewBox="0 0 ${width} ${height}"
    role="img"
    aria-label="canary windows"
    font-size="11"
    font-family="system-ui,sans-serif"
  >
    <line x1="25" x2="${width - 5}" y1="85" y2="85" stroke="#9fb3c8" />
    ${bars}
  </svg>`;
}

/**
 * One stage of a run as a bar on the run's time axis: it starts where the stage started and is as long as it took
 * (at least a pixel, so a stage of a few ms is still seen).
 */
export function stageBar(startMs: number, durationMs: number, runStartMs: number, runMs: number): Html {
  const width = 240;
  const scale = runMs > 0 ? width / runMs : 0;
  const x = Math.min(width - 1, Math.max(0, (startMs - runStartMs) * scale));
  const w = Math.max(1, Math.min(width - x, durationMs * scale));
  return html`<svg width="${width}" height="10" role="img" aria-label="stage bar">
    <rect x="0" y="0" width="${width}" height="10" fill="#f0f4f8"></rect>
    <rect x="${px(x)}" y="0" width="${px(w)}" height="10" fill="${COLOURS.recall}"></rect>
  </svg>`;
}
