// Labels beat estimates: which label-free performance estimates (CBPE) may decide drift in a window, given what
// its labelled rows already measure.

import type { EstimatedPerformanceResult } from './confidenceBasedPerformance.js';
import type { DriftClass, DriftMetric, PerformanceDriftResult } from './performanceDrift.js';

export interface EstimateVerdicts {
  /** Drops of estimated metrics that no labelled measurement covers: these decide drift. */
  decisive: string[];
  /** Drops of estimated metrics that the labels measure: reported, never deciding. */
  setAside: string[];
}

const METRICS: ReadonlyArray<[DriftClass, DriftMetric]> = [
  ['positive', 'recall'],
  ['positive', 'precision'],
  ['negative', 'recall'],
  ['negative', 'precision'],
];

/**
 * A metric is measured on labels when its labelled comparison ran, i.e. its labelled support reached
 * `minSupport` of its class (rows of the class for recall, rows predicted as the class for precision; defaults 20
 * positives, 100 negatives). From there the Wilson interval on labels is a valid interval for the metric whatever
 * the scores' calibration, while the estimate's interval holds only if calibration survived deployment and P(y | x)
 * did not change, which the labels can refute. Letting both decide would test one quantity twice, the second time
 * under assumptions the first does not need, and only add false alarms. So where labels measure a metric, its
 * estimate is reported and set aside; below that support (labels not yet arrived) the estimate decides.
 */
export function estimateVerdicts(measured: PerformanceDriftResult | null, estimated: EstimatedPerformanceResult): EstimateVerdicts {
  const decisive: string[] = [];
  const setAside: string[] = [];
  for (const [cls, metric] of METRICS) {
    const estimate = estimated.perClass[cls][metric];
    if (estimate.status !== 'dropped') continue;
    const onLabels = measured?.perClass[cls][metric];
    if (onLabels !== undefined && onLabels.status !== 'insufficient') {
      setAside.push(`${estimate.message}; set aside, the labels measure it: ${onLabels.message}`);
    } else {
      decisive.push(estimate.message);
    }
  }
  return { decisive, setAside };
}
