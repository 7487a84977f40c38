// The UI's HTML building blocks: a tagged template that escapes every interpolated value, the shared page layout
// with its inline CSS, tables, and the formatting of numbers, times and model versions.

import { escapeHtml } from '../../core/report/reportPage.js';

/** HTML that is already safe to emit; everything else interpolated into {@link html} is escaped. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | null | undefined | boolean | Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.text;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/** `html\`<td>${value}</td>\``: strings and numbers are escaped, Html and arrays of Html are kept. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** A path with each segment URL-encoded, e.g. `/models/${name}`. */
export function href(...segments: string[]): string {
  return `/${segments.map(encodeURIComponent).join('/')}`;
}

export function link(to: string, label: Part): Html {
  return html`<a href="${to}">${label}</a>`;
}

export function fixed(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 12) : '—';
}

export function orDash(v: string | null | undefined): string {
  return v === null || v === undefined || v === '' ? '—' : v;
}

/** A table: header labels, then rows of cells (escaped unless Html). */
export function table(headers: string[], rows: Part[][], empty = 'none'): Html {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<table>
    <thead>
      <tr>
        ${headers.map((h) => html`<th>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (r) =>
          html`<tr>
            ${r.map((c) => html`<td>${c}</td>`)}
          </tr> `,
      )}
    </tbody>
  </table>`;
}

/** A small coloured label for a status, verdict or outcome. */
export function badge(value: string | null | undefined): Html {
  const v = orDash(value);
  const tone = /pass|promot|succeeded|approved|champion/.test(v)
    ? 'good'
    : /fail|reject|rolled|rollback|archived|timed-out/.test(v)
      ? 'bad'
      : /running|insufficient|waiting|challenger/.test(v)
        ? 'warn'
        : 'plain';
  return html`<span class="badge ${tone}">${v}</span>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2933;background:#f7f8fa}
header{background:#243b53;color:#fff;padding:10px 24px;display:flex;gap:24px;align-items:center}
header a{color:#d9e2ec;text-decoration:none;font-weight:500}header a:hover{color:#fff}
header .brand{font-weight:700;color:#fff;margin-right:12px}
main{padding:16px 24px;max-width:1200px}
h1{font-size:22px;margin:8px 0 12px}h2{font-size:17px;margin:22px 0 8px;color:#334e68}
table{border-collapse:collapse;background:#fff;margin:4px 0 8px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
th,td{padding:5px 10px;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
th{background:#f0f4f8;font-weight:600;color:#334e68;font-size:13px}
td.num,th.num{text-align:right}
a{color:#2680c2}code,pre{font:12px ui-monospace,Menlo,Consolas,monospace}
pre{background:#fff;border:1px solid #e4e7eb;padding:8px;overflow:auto;max-height:320px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#e4e7eb}
.badge.good{background:#c6f7e2;color:#014d40}.badge.bad{background:#ffe3e3;color:#8a041a}
.badge.warn{background:#fff3c4;color:#8d2b0b}
.empty{color:#7b8794;font-style:italic}.muted{color:#7b8794}
.card{background:#fff;border:1px solid #e4e7eb;padding:10px 14px;margin:8px 0;border-radius:4px}
dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;margin:4px 0}dt{color:#52606d}dd{margin:0}
.command{background:#102a43;color:#f0f4f8;padding:8px 12px;border-radius:4px;display:block;margin:4px 0}
svg{background:#fff;border:1px solid #e4e7eb;margin:4px 0}
`;

/** The page layout: navigation, title and body, with the CSS inline (no network). */
export function page(title: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · rareflow</title>
        <style>
          ${new Html(CSS)}
        </style>
      </head>
      <body>
        <header>
          <span class="brand">rareflow</span><a href="/">Models</a><a href="/runs">Runs</a><a href="/approvals">Approvals waiting</a>
        </header>
        <main>
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html> `;
}
