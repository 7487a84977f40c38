// The validate stage for a multi-class model: its per-class report on the held-out test split, the champion's on
// the same rows (when it is a multi-class model of the same classes and features), the per-class gates, the report.

import { withClassCoverage } from '../core/gates/classCoverage.js';
import { evaluateMultiClassGates, withClassIntervals } from '../core/gates/multiClassGates.js';
import { classWeightsFor, multiClassReport, type MultiClassReport } from '../core/metrics/multiClassReport.js';
import { scoreMultiClass, type ModelArtifact } from '../core/models/modelArtifact.js';
import type { ValidationSummary } from '../core/pipelineTypes.js';
import { renderMultiClassRunReport } from '../core/report/multiClassRunReport.js';
import { stageNotesOf } from '../core/report/runReport.js';
import type { PopulationClasses, ValidateStageInput, ValidateStageResult } from './validate.js';

/** Why the champion cannot be scored on this test split (other classes or features), or undefined when it can. */
function championMismatch(champion: ModelArtifact, model: ModelArtifact): string | undefined {
  if (champion.featureNames.join('\u0000') !== model.featureNames.join('\u0000'))
    return 'the champion reads other features, so it was not scored on this test split';
  const classes = model.multiClass!.classes;
  if (!champion.multiClass || champion.multiClass.classes.join('\u0000') !== classes.join('\u0000'))
    return `the champion does not predict the classes ${classes.join(', ')}, so it was not compared on this test split`;
  return undefined;
}

/** The data's share of each of `classes`, or undefined when the counts do not name every one of them. */
function sharesOf(classes: string[], data: PopulationClasses | undefined): number[] | undefined {
  if (!data || data.classes.length !== data.counts.length) return undefined;
  const total = data.counts.reduce((a, b) => a + b, 0);
  const shares = classes.map((c) => data.counts[data.classes.indexOf(c)] ?? NaN);
  return total > 0 && shares.every((n) => n >= 0) ? shares.map((n) => n / total) : undefined;
}

/** The run report's line on the class mix the precisions are counted at. */
export function classMixText(classes: string[], mix: { rowsShares: number[] }, shares: readonly number[]): string {
  const pct = (p: number) => `${(100 * p).toPrecision(3)}%`;
  const each = classes.map((c, i) => `${c} ${pct(shares[i]!)} (test split ${pct(mix.rowsShares[i]!)})`).join(', ');
  return `precision, F1 and accuracy at the data's class shares: ${each}; recall and the macro G-mean do not depend on them`;
}

export function validateMultiClassStage(input: ValidateStageInput): ValidateStageResult {
  const { model, test } = input;
  const classes = model.multiClass!.classes;
  const predicted = scoreMultiClass(model, test.x).predicted;
  // Precision, F1 and accuracy at the data's class shares, not the sample's (which keeps the rare classes whole).
  const support = classes.map(() => 0);
  for (let i = 0; i < test.y.length; i++) support[test.y[i]!]!++;
  const shares = sharesOf(classes, input.populationClasses);
  const weights = shares ? classWeightsFor(support, shares) : undefined;
  const challenger = withClassIntervals(multiClassReport(classes, test.y, predicted, weights));
  let champion: MultiClassReport | undefined;
  let championNote: string | undefined = input.champion ? undefined : input.championUnreadable;
  if (input.champion) {
    championNote = championMismatch(input.champion.model, model);
    if (championNote === undefined)
      champion = multiClassReport(classes, test.y, scoreMultiClass(input.champion.model, test.x).predicted, weights);
  }
  const evaluation = withClassCoverage(
    evaluateMultiClassGates(input.gates, challenger, champion, champion ? undefined : championNote),
    input.champion?.model,
    model,
  );
  const stageNotes = stageNotesOf(input.stages);
  const report = {
    model: input.modelSha256,
    test: { sha256: input.testSha256, rows: test.y.length },
    classes,
    challenger,
    ...(champion && input.champion ? { champion: { model: input.champion.sha256, report: champion } } : {}),
    ...(championNote ? { championNote } : {}),
    gates: input.gates,
    evaluation,
    ...(stageNotes.length ? { stages: stageNotes } : {}),
  };
  const html = renderMultiClassRunReport({
    title: `rareflow run report: ${model.modelName}`,
    details: [
      ...(input.runId ? [`run ${input.runId}`] : []),
      `model ${input.modelSha256.slice(0, 12)} (${model.model.kind}, one-vs-rest over ${classes.length} classes)`,
      `held-out test split ${input.testSha256.slice(0, 12)}: ${challenger.classes.map((c) => `${c.class} ${c.support}`).join(', ')} (never met a synthetic row)`,
      `code ${model.training.codeVersion}, seed ${model.training.seed}`,
      ...(shares && challenger.classMix ? [classMixText(classes, challenger.classMix, shares)] : []),
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
