import { describe, expect, it } from 'vitest';
import { evaluateGates } from '../../core/gates/evaluateGates.js';
import { defaultGateSpec } from '../../core/gates/gateSpec.js';
import { classificationReport } from '../../core/metrics/classMetrics.js';
import { escapeHtml } from '../../core/report/reportPage.js';
import { renderRunReport, runReportCurves, type RunReportData } from '../../core/report/runReport.js';

const y = Uint8Array.from([1, 0, 1, 1, 0, 0, 0, 1, 0, 0]);
const s = Float64Array.from([0.9, 0.9, 0.7, 0.5, 0.5, 0.5, 0.3, 0.2, 0.2, 0.1]);

function reportData(title: string): RunReportData {
  const metrics = classificationReport(y, s, 0.4);
  return {
    title,
    details: ['run <r1> & dataset "a.csv"'],
    classCounts: [
      { stage: 'input', negatives: 200000, positives: 2000 },
      { stage: 'after sampling', negatives: 18000, positives: 2000 },
      { stage: 'after noise filtering', negatives: 17500, positives: 1990 },
      { stage: 'after ADASYN', negatives: 17500, positives: 17400 },
    ],
    confusion: metrics.confusion,
    threshold: 0.4,
    thresholdReason: 'RFQ q*-rule',
    ...runReportCurves(y, s, { reliabilityBins: 5 }),
    metrics: [{ name: 'ROC-AUC', value: metrics.rocAuc, note: metrics.rocAucNote }],
    gates: evaluateGates(defaultGateSpec(), metrics),
  };
}

describe('run report', () => {
  it('computes curve points from labels and scores, striding long curves to maxPoints with both ends kept', () => {
    const curves = runReportCurves(y, s);
    expect(curves.prCurve.recall).toEqual([0.25, 0.5, 0.75, 0.75, 1, 1]);
    expect(curves.thresholdCurve.thresholds).toEqual([0.1, 0.2, 0.3, 0.5, 0.7, 0.9]);
    expect(curves.reliability).toHaveLength(10);
    const strided = runReportCurves(y, s, { maxPoints: 3 });
    expect(strided.thresholdCurve.thresholds).toEqual([0.1, 0.5, 0.9]);
  });

  it('renders one self-contained page with five non-empty SVG charts drawn with paths', () => {
    const html = renderRunReport(reportData('Run 1'));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs).toHaveLength(5);
    for (const svg of svgs) expect(svg).toMatch(/<path d="M[\d.]+,[\d.]+[^"]+"/);
    // PR curve: the random baseline π = 0.4 is a horizontal dashed line at y = 28 + 0.6·232.
    expect(html).toContain('random (π = 0.4)');
    expect(html).toContain('<path d="M48,167.2L404,167.2" fill="none" stroke="#c0392b" stroke-width="2" stroke-dasharray="5 4"/>');
    expect(html).toContain('>200000<');
    expect(html).toContain('Verdict: <b>insufficient-evidence</b>');
    expect(html).toContain('insensitive to the imbalance ratio');
    for (const external of ['<script', 'src=', 'href=', '@import', 'url(']) expect(html).not.toContain(external);
  });

  it('escapes every text that comes from data', () => {
    const html = renderRunReport(reportData('<script>alert("x")</script>'));
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('run &lt;r1&gt; &amp; dataset &quot;a.csv&quot;');
    expect(escapeHtml(`a'b`)).toBe('a&#39;b');
  });

  it('shows how an auto model was chosen as a table, the winner marked, and nothing when the model was not chosen', () => {
    const spread = (mean: number) => ({ mean, sd: 0.01, standardError: 0.006, folds: 6 });
    const html = renderRunReport({
      ...reportData('auto'),
      selection: {
        method: 'inner stratified cross-validation',
        folds: 3,
        repeats: 2,
        seed: 1,
        budgetSeconds: 60,
        chosen: 'logreg-weighted',
        thresholdPolicy: 'prevalence',
        reason: 'the cheapest <of> them',
        candidates: [
          {
            name: 'balanced-forest',
            fits: 'f',
            relativeCost: 1,
            gMean: spread(0.8),
            prAuc: spread(0.5),
            thresholdPolicy: 'gmean',
            seconds: 2,
          },
          {
            name: 'logreg-weighted',
            fits: 'l',
            relativeCost: 0.1,
            gMean: spread(0.79),
            prAuc: spread(0.4),
            thresholdPolicy: 'prevalence',
            seconds: 0.1,
          },
          { name: 'adasyn-logreg', fits: 'a', relativeCost: 0.4, seconds: 0, dropped: 'not scored: budget' },
        ],
        seconds: 2.1,
      },
    });
    expect(html).toContain('<h2>Model choice (inner validation)</h2>');
    expect(html).toContain('the cheapest &lt;of&gt; them');
    expect(html).toContain('<tr class="pass"><td>logreg-weighted</td><td>0.79 ± 0.01</td>');
    expect(html).toContain('<td>adasyn-logreg</td><td>—</td>');
    expect(renderRunReport(reportData('fixed'))).not.toContain('Model choice');
  });
});
