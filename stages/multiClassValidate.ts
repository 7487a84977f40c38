// The validate stage for a multi-class model: its per-class report on the held-out test split, the champion's on
// the same rows (when it is a multi-class model of the same classes and features), the per-class gates, the report.

import { withClassCoverage } from '../core/gates/classCoverage.js';
import { evaluateMultiClassGates, withClassIntervals } from '../core/gates/multiClassGates.js';
import { multiClassReport, type MultiClassReport } from '../core/metrics/multiClassReport.js';
import { scoreMultiClass, type ModelArtifact } from '../core/models/modelArtifact.js';
import type { ValidationSummary } from '../core/pipelineTypes.js';
import { renderMultiClassRunReport } from '../core/report/multiClassRunReport.js';
import type { ValidateStageInput, ValidateStageResult } from './validate.js';

/** Why the champion cannot be scored on this test split (other classes or features), or undefined when it can. */
function championMismatch(champion: ModelArtifact, model: ModelArtifact): string | undefined {
  if (champion.featureNames.join('\u0000') !== model.featureNames.join('\u0000'))
    return 'the champion reads other features, so it was not scored on this test split';
  const classes = model.multiClass!.classes;
  if (!champion.multiClass || champion.multiClass.classes.join('\u0000') !== classes.join('\u0000'))
    return `the champion does not predict the classes ${classes.join(', ')}, so it was not compared on this test split`;
  return undefined;
}

export function validateMultiClassStage(input: ValidateStageInput): ValidateStageResult {
  const { model, test } = input;
  const classes = model.multiClass!.classes;
  const predicted = scoreMultiClass(model, test.x).predicted;
  const challenger = withClassIntervals(multiClassReport(classes, test.y, predicted));
  let champion: MultiClassReport | undefined;
  let championNote: string | undefined;
  if (input.champion) {
    championNote = championMismatch(input.champion.model, model);
    if (championNote === undefined) champion = multiClassReport(classes, test.y, scoreMultiClass(input.champion.model, test.x).predicted);
  }
  const evaluation = withClassCoverage(
    evaluateMultiClassGates(input.gates, challenger, champion, champion ? undefined : championNote),
    input.champion?.model,
    model,
  );
  const report = {
    model: input.modelSha256,
    test: { sha256: input.testSha256, rows: test.y.length },
    classes,
    challenger,
    ...(champion && input.champion ? { champion: { model: input.champion.sha256, report: champion } } : {}),
    ...(championNote ? { championNote } : {}),
    gates: input.gates,
    evaluation,
  };
  const html = renderMultiClassRunReport({
    title: `rareflow run report: ${model.modelName}`,
    details: [
      ...(input.runId ? [`run ${input.runId}`] : []),
      `model ${input.modelSha256.slice(0, 12)} (${model.model.kind}, one-vs-rest over ${classes.length} classes)`,
      `held-out test split ${input.testSha256.slice(0, 12)}: ${challenger.classes.map((c) => `${c.class} ${c.support}`).join(', ')} (never met a synthetic row)`,
      `code ${model.training.codeVersion}, seed ${model.training.seed}`,
      ...(championNote ? [championNote] : []),
    ],
    stages: input.stages ?? [],
    report: challenger,
    thresholds: model.multiClass!.thresholds,
    ...(champion ? { championMacroGMean: champion.macroGMean } : {}),
    ...(model.selection ? { selection: model.selection } : {}),
    gates: evaluation,
  });
  const rows = challenger.classes;
  const bySupport = rows.map((_, c) => c).sort((a, b) => rows[a]!.support - rows[b]!.support);
  const summaryOf = (c: number) => ({ recall: rows[c]!.recall, precision: rows[c]!.precision, support: rows[c]!.support });
  const rarest = bySupport[0]!;
  const summary: ValidationSummary = {
    verdict: evaluation.verdict,
    reasons: evaluation.reasons,
    positive: summaryOf(rarest),
    negative: summaryOf(bySupport[bySupport.length - 1]!),
    gMean: challenger.macroGMean,
    prAucNormalised: null,
    brier: null,
    threshold: model.threshold,
    classes: rows.map((r, c) => ({ class: r.class, ...summaryOf(c) })),
    ...(champion && input.champion
      ? { champion: { modelSha256: input.champion.sha256, positiveRecall: champion.classes[rarest]!.recall, gMean: champion.macroGMean } }
      : {}),
  };
  return { report, html, summary };
}
