// The drift report page: its structure (sections, one table row and one histogram per feature, the verdict and why),
// escaping of everything from data, and the paths where tests did not run.

import { describe, expect, it } from 'vitest';
import { buildDriftReference } from '../../core/drift/driftReference.js';
import { driftReport } from '../../core/drift/driftReport.js';
import { binLabels } from '../../core/report/distributionChart.js';
import { numericFeatureCount, renderDriftReport, type DriftReportPageData } from '../../core/report/driftReportPage.js';
import { seededRandom } from '../../core/random.js';

const THRESHOLDS = { fdr: 0.01, psiThreshold: 0.2, ksThreshold: 0.1 };

function page(rows: number, shift: number, name = 'amount'): DriftReportPageData {
  const random = seededRandom(5);
  const n = 3000;
  const reference = buildDriftReference(
    { rows: n, cols: 2, values: Float64Array.from({ length: n * 2 }, () => random.next()), names: [name, 'age'] },
    Uint8Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 0)),
    Float64Array.from({ length: 500 }, () => random.next()),
    0.5,
    { positive: { recall: 0.5, precision: 0.5 }, negative: { recall: 0.5, precision: 0.5 } },
    { categorical: { names: ['channel'], values: [Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'app' : 'web'))] } },
  );
  const values = new Float64Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    values[r * 2] = random.next() + shift;
    values[r * 2 + 1] = random.next();
  }
  const report = driftReport(reference, {
    features: { rows, cols: 2, values, names: [name, 'age'] },
    categorical: { names: ['channel'], values: [Array.from({ length: rows }, (_, i) => (i % 3 === 0 ? 'app' : 'web'))] },
    scores: Float64Array.from({ length: rows }, () => random.next()),
    labels: Int8Array.from({ length: rows }, (_, i) => (i % 2 === 0 ? -1 : i % 10 === 1 ? 1 : 0)),
  });
  const bins = reference.prediction.bins;
  return { title: 'Drift report', report, scoreReference: { ...bins, threshold: 0.5 }, thresholds: THRESHOLDS };
}

const count = (html: string, needle: string) => html.split(needle).length - 1;

describe('the drift report page', () => {
  it('shows the verdict and why, one row and one histogram per feature, label prior, scores and performance', () => {
    const data = page(1000, 0.5);
    const html = renderDriftReport(data);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(html).toContain('Verdict: <b>drift</b>');
    for (const reason of data.report.reasons) expect(html).toContain(reason.replace(/"/g, '&quot;'));
    for (const section of ['Features: reference (training) vs this window', 'Label prior', 'Score distribution', 'Per-class performance'])
      expect(html).toContain(`<h2>${section}</h2>`);
    // amount, age, channel, and the label prior and the scores: five histograms, plus the recall interval chart.
    expect(count(html, 'aria-label="amount (PSI')).toBe(1);
    expect(count(html, 'aria-label="channel (PSI')).toBe(1);
    expect(count(html, '<svg')).toBe(6);
    expect(html).toContain('<td>amount</td><td>numeric</td>');
    expect(html).toContain('<td>channel</td><td>categorical</td>');
    expect(html).toContain('labelled (feedback)');
    expect(html).toContain('estimated (CBPE)');
  });

  it('says plainly why a steady window is not drift, and why each feature did not count', () => {
    const data = page(1000, 0);
    const age = data.report.features[1]!;
    expect(numericFeatureCount(age, THRESHOLDS)).toMatch(/^no: (q > 0\.01|small shift \(PSI < 0\.2, KS D < 0\.1\))$/);
    expect(numericFeatureCount({ ...age, qValue: 0.001, psi: 0.01, ks: 0.02, drifted: false }, THRESHOLDS)).toBe(
      'no: small shift (PSI < 0.2, KS D < 0.1)',
    );
  });

  it('escapes names from data and marks tests that did not run', () => {
    const data = page(50, 0, '<img src=x onerror=alert(1)>');
    const html = renderDriftReport({ ...data, title: '<script>alert("x")</script>' });
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<td>not run</td>');
    expect(html).toContain('Too few rows in this window to compare the score distribution.');
    expect(html).toContain('<h2>Not judged</h2>');
  });

  it('names the earlier rows the label tests read when labels come late', () => {
    const data = page(1000, 0);
    const labelsFrom = { name: 'the window 30 d earlier', fromMs: Date.UTC(2026, 10, 1), toMs: Date.UTC(2026, 10, 1, 1) };
    const html = renderDriftReport({ ...data, report: { ...data.report, labelsFrom } });
    expect(html).toContain(
      'labels taken as late: the label tests read the window 30 d earlier (2026-11-01T00:00:00.000Z to 2026-11-01T01:00:00.000Z)',
    );
    expect(html).toContain('<td>the window 30 d earlier (labelled rows)</td>');
    expect(html).toContain('The labelled figures are of the window 30 d earlier');
    expect(renderDriftReport(data)).not.toContain('labels taken as late');
  });

  it('labels quantile bins by their edges', () => {
    expect(binLabels([])).toEqual(['all values']);
    expect(binLabels([0.5, 1.25])).toEqual(['< 0.5', '0.5 – 1.25', '≥ 1.25']);
  });
});
