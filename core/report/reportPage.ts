// The pieces every HTML report shares: escaping, number formatting, the page shell and its stylesheet (inline, so
// a report is one self-contained file that loads nothing from elsewhere).

/** Text and attribute escaping for everything that comes from data. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A number rounded to `digits` decimals, or "—" when absent or not finite. */
export const fmt = (v: number | null | undefined, digits = 3): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : Number(v.toFixed(digits)).toString();

/** An SVG coordinate to one decimal. */
export const px = (v: number): string => (Math.round(v * 10) / 10).toString();

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}
.charts{display:flex;flex-wrap:wrap;gap:16px}
svg{background:#fff;border:1px solid #ddd}svg text{font-size:11px;fill:#333}svg text.t{font-size:13px;font-weight:600}svg text.big{font-size:20px;font-weight:600}
path.grid{stroke:#eee;fill:none}path.axis{stroke:#333;fill:none}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}
tr.fail td{background:#fdecea}tr.pass td{background:#eafaf1}tr.not-judged td{background:#f4f6f7}
.verdict.fail b{color:#c0392b}.verdict.pass b{color:#27ae60}.muted{color:#666}`;

/**
 * The page around a report's body: title, the muted detail lines under it, the shared stylesheet and `extraStyle`.
 * `body` is inserted as is: the caller escapes what it puts there.
 */
export function reportPage(title: string, details: readonly string[], body: string, extraStyle = ''): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
${STYLE}${extraStyle ? `\n${extraStyle}` : ''}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${details.map((d) => `<div class="muted">${escapeHtml(d)}</div>`).join('\n')}
${body}
</body></html>
`;
}
