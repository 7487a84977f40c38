// The metrics a gate can test, in one small module that the gate spec and its schema both import.

/** Metrics of a `ClassificationReport` a gate can test. */
export const GATE_METRICS = [
  'recall',
  'precision',
  'f1',
  'gMean',
  'balancedAccuracy',
  'prAuc',
  'prAucNormalised',
  'rocAuc',
  'brier',
  'macroF1',
  'brierNormalised',
] as const;
export type GateMetric = (typeof GATE_METRICS)[number];
