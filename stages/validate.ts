// The validate stage: the model scored on the held-out test split (never touched by synthetic rows), compared with
// the champion on the same rows, the gates judged, and the full report and its self-contained HTML page built.
// Metrics count every test row once: a `sample_weight` column weights training only.

import { classCounts, takeRows, type LabelledData } from '../core/dataset.js';
import { relabelled, withClassCoverage } from '../core/gates/classCoverage.js';
import type { ChampionRows } from '../core/gates/championRows.js';
import { evaluateGates, type ChampionComparison, type GateReport } from '../core/gates/evaluateGates.js';
import { parseGateSpec, type GateSpec } from '../core/gates/gateSpec.js';
import { bootstrapIntervals } from '../core/metrics/bootstrapIntervals.js';
import { classificationReport, negativeWeightFor, type ClassificationReport } from '../core/metrics/classMetrics.js';
import { inputColumnsOf, scoreModel, type ModelArtifact } from '../core/models/modelArtifact.js';
import { withSelectionTimes } from '../core/models/modelSelection.js';
import type { GateSpecJson, StageSummary, ValidationSummary } from '../core/pipelineTypes.js';
import { headlineMetrics, renderRunReport, runReportCurves, stageNotesOf } from '../core/report/runReport.js';
import { validateMultiClassStage } from './multiClassValidate.js';

/** Rows of each class in the data a multi-class sample came from, `counts[i]` of `classes[i]`. */
export interface PopulationClasses {
  classes: string[];
  counts: number[];
}

export interface ValidateStageInput {
  model: ModelArtifact;
  modelSha256: string;
  test: LabelledData;
  testSha256: string;
  /** The gates, checked by parsePipelineGates before anything is loaded. */
  gates: GateSpec;
  /** The current champion, scored on the same test rows when it reads the same features. */
  champion?: { model: ModelArtifact; sha256: string };
  /** The test rows the champion was not trained on (championRows.ts); all rows, with a note, when unknown. */
  championRows?: ChampionRows;
  /**
   * Why a champion that exists could not be read (its model file is no longer in the artifact store): its gates are
   * then not judged (insufficient evidence), never passed as if there were no champion.
   */
  championUnreadable?: string;
  /** The stages so far, for the report's class counts per stage. */
  stages?: StageSummary[];
  /**
   * The positives' share of the data the test split was sampled from. A retrain's sample keeps more of the rare class
   * than the data holds, so precision, F1, PR-AUC and Brier are counted at this share (each negative weighted), as
   * they will be in production; recall, G-mean and ROC-AUC do not depend on it. Absent: the test split's own mix.
   */
  populationPrevalence?: number;
  /** The data's rows of each class (multi-class): precision, F1 and accuracy are counted at these shares. */
  populationClasses?: PopulationClasses;
  /** Seed of the bootstrap intervals. @default 1 */
  seed?: number;
  /** Shown in the report's title. */
  runId?: string;
}

export interface ValidateStageResult {
  /** The full report (JSON-plain): both models' per-class metrics, the gates and their evaluation. */
  report: Record<string, unknown>;
  /** The self-contained HTML run report (opens with no network). */
  html: string;
  summary: ValidationSummary;
}

/** The pipeline spec's gates, checked (bad gates are bad input naming the gate and field). */
export function parsePipelineGates(gates: GateSpecJson): GateSpec {
  return parseGateSpec(gates, 'pipeline spec "gates"');
}

export function validateStage(input: ValidateStageInput): ValidateStageResult {
  if (input.model.multiClass) return validateMultiClassStage(input);
  const spec = input.gates;
  const { model, test } = input;
  const scores = scoreModel(model, test.x);
  const mix = classMixOf(test.y, input.populationPrevalence);
  const challenger: GateReport = {
    ...classificationReport(test.y, scores, model.threshold, mix),
    bootstrap: bootstrapIntervals(test.y, scores, model.threshold, { seed: input.seed ?? 1, ...mix }),
  };
  const compared = input.champion
    ? compareWithChampion(input.champion.model, model, test, scores, input.championRows, input.populationPrevalence)
    : input.championUnreadable !== undefined
      ? { note: input.championUnreadable, comparison: { notComparable: input.championUnreadable } }
      : undefined;
  const champion = compared?.champion;
  const championNote = compared?.note;
  const evaluation = withClassCoverage(
    evaluateGates(spec, challenger, champion, compared ? { ...compared.comparison } : undefined),
    input.champion?.model,
    model,
  );
  const stageNotes = stageNotesOf(input.stages);
  const report = {
    model: input.modelSha256,
    test: { sha256: input.testSha256, rows: test.y.length },
    challenger,
    ...(champion && input.champion ? { champion: { model: input.champion.sha256, report: champion } } : {}),
    ...(championNote ? { championNote } : {}),
    gates: spec,
    evaluation,
    ...(stageNotes.length ? { stages: stageNotes } : {}),
  };
  const [testNegatives, testPositives] = classCounts(test.y);
  const html = renderRunReport({
    title: `rareflow run report: ${model.modelName}`,
    details: [
      ...(input.runId ? [`run ${input.runId}`] : []),
      `model ${input.modelSha256.slice(0, 12)} (${model.model.kind}), threshold ${model.threshold.toFixed(4)}`,
      `held-out test split ${input.testSha256.slice(0, 12)}: ${testPositives} positives, ${testNegatives} negatives (never met a synthetic row)`,
      ...(challenger.classMix ? [classMixText(challenger.classMix, challenger.prevalence!)] : []),
      `code ${model.training.codeVersion}, seed ${model.training.seed}`,
    ],
    classCounts: [
      ...(input.stages ?? []).flatMap((st, i) => [
        ...(i === 0 ? [{ stage: `${st.stage}: in`, positives: st.positivesIn, negatives: st.rowsIn - st.positivesIn }] : []),
        { stage: st.stage, positives: st.positivesOut, negatives: st.rowsOut - st.positivesOut },
      ]),
      { stage: 'test split', positives: testPositives, negatives: testNegatives },
    ],
    ...(stageNotes.length ? { stageNotes } : {}),
    confusion: challenger.confusion,
    threshold: model.threshold,
    thresholdReason: model.thresholdReason,
    ...runReportCurves(test.y, scores, mix),
    metrics: headlineMetrics(challenger),
    gates: evaluation,
    ...(model.selection
      ? { selection: withSelectionTimes(model.selection, input.stages?.find((st) => st.selectionTimes)?.selectionTimes) }
      : {}),
  });
  const summary: ValidationSummary = {
    verdict: evaluation.verdict,
    reasons: evaluation.reasons,
    positive: {
      recall: challenger.perClass.positive.recall,
      precision: challenger.perClass.positive.precision,
      support: challenger.support.positive,
    },
    negative: {
      recall: challenger.perClass.negative.recall,
      precision: challenger.perClass.negative.precision,
      support: challenger.support.negative,
    },
    gMean: challenger.gMean,
    prAucNormalised: challenger.prAucNormalised,
    brier: challenger.brier,
    threshold: challenger.threshold,
    ...(champion && input.champion
      ? {
          champion: {
            modelSha256: input.champion.sha256,
            positiveRecall: champion.perClass.positive.recall,
            gMean: champion.gMean,
            ...(compared?.comparison.challenger
              ? { rows: compared.comparison.rowsText ?? '', challengerGMean: compared.comparison.challenger.gMean }
              : {}),
          },
        }
      : {}),
    ...(championNote ? { championNote } : {}),
  };
  return { report, html, summary };
}

/** Below this much of a difference the test split's own mix is kept (a stratified split's rounding, say). */
const MIX_TOLERANCE = 0.05;

/** The weight of each negative of `y` that counts its rows at the positives' share `prevalence` (none: as they are). */
function classMixOf(y: Uint8Array, prevalence: number | undefined): { negativeWeight?: number } {
  if (prevalence === undefined || y.length === 0) return {};
  const [, positives] = classCounts(y);
  const weight = negativeWeightFor(positives / y.length, prevalence);
  return Math.abs(weight - 1) > MIX_TOLERANCE ? { negativeWeight: weight } : {};
}

/** One line for the run report: at which mix the mix-dependent metrics are counted, and why. */
export function classMixText(mix: { rowsPrevalence: number; negativeWeight: number }, prevalence: number): string {
  const pct = (v: number) => `${(100 * v).toPrecision(3)}%`;
  return `precision, F1, PR-AUC and Brier at the data's positive share ${pct(prevalence)} (the sampled test split holds ${pct(mix.rowsPrevalence)}: each negative counted ${mix.negativeWeight.toPrecision(3)} times); recall and G-mean do not depend on it`;
}

/**
 * The champion scored beside the challenger on the test rows it was not trained on (and the challenger on the same
 * rows), or why the two cannot be compared: a multi-class champion, or one that reads features this test split lacks.
 */
function compareWithChampion(
  championModel: ModelArtifact,
  model: ModelArtifact,
  testRows: LabelledData,
  scores: Float64Array,
  rows: ChampionRows | undefined,
  populationPrevalence: number | undefined,
): { champion?: ClassificationReport; note?: string; comparison: ChampionComparison } {
  let test = testRows;
  if (championModel.multiClass) {
    // A multi-class champion (a label that had more classes before) predicts classes, not this model's positive.
    const note = `the champion predicts ${championModel.multiClass.classes.length} classes, so it cannot be compared with this two-class model`;
    return { note, comparison: { notComparable: note } };
  }
  if (!championModel.multiClass && relabelled(championModel, model)) {
    const values = (m: ModelArtifact) => `"${m.positiveLabel}" (positive) and "${m.negativeLabel.split('|').join('", "')}"`;
    const note = `the champion was trained on the label values ${values(championModel)}, this model on ${values(model)}: a label spelt or coded another way may not mean the same, so the two are not compared`;
    return { note, comparison: { notComparable: note } };
  }
  const missing = championModel.featureNames.filter((f) => !model.featureNames.includes(f));
  if (missing.length > 0) {
    const note = `the champion reads ${missing.length === 1 ? 'a feature' : 'features'} this model's input lacks (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}), so the two cannot be compared on the same rows`;
    return { note, comparison: { notComparable: note } };
  }
  // A challenger that reads input columns the champion does not asks every client of the scoring service to send
  // them: a change of inputs (a new column in a drift window, say) is held back, not promoted on its figures.
  const championColumns = new Set(inputColumnsOf(championModel).map((c) => c.name));
  const added = inputColumnsOf(model)
    .map((c) => c.name)
    .filter((c) => !championColumns.has(c));
  if (added.length > 0) {
    const list = `${added.slice(0, 5).join(', ')}${added.length > 5 ? ', …' : ''}`;
    const note = `this model reads ${added.length === 1 ? 'an input column' : 'input columns'} the champion does not (${list}): clients of the scoring service would have to send ${added.length === 1 ? 'it' : 'them'}, so the two are not compared (list the columns to use in input.features, or set gates.onInsufficientEvidence to "require-approval" and approve the change)`;
    return { note, comparison: { notComparable: note } };
  }
  // Columns in another order: the champion reads its own by name.
  if (championModel.featureNames.join('\u0000') !== model.featureNames.join('\u0000')) {
    test = { x: columnsByName(test.x, model.featureNames, championModel.featureNames), y: test.y };
  }
  if (rows?.kind !== 'unseen' || rows.excluded === 0) {
    const champion = classificationReport(
      test.y,
      scoreModel(championModel, test.x),
      championModel.threshold,
      classMixOf(test.y, populationPrevalence),
    );
    const note =
      rows?.kind === 'unknown' ? `compared on every test row, though some may be rows the champion was trained on: ${rows.why}` : undefined;
    return { champion, ...(note ? { note } : {}), comparison: note ? { rowsText: 'every test row' } : {} };
  }
  const rowsText = `the ${rows.rows.length} test rows the champion was not trained on (${rows.excluded} of its training rows left out)`;
  if (rows.rows.length === 0) {
    const note = 'every test row is a row the champion was trained on, so the two cannot be compared';
    return { note, comparison: { notComparable: note } };
  }
  const shared = takeRows(test, rows.rows);
  const sharedScores = Float64Array.from(rows.rows, (r) => scores[r]!);
  const sharedMix = classMixOf(shared.y, populationPrevalence);
  const champion = classificationReport(shared.y, scoreModel(championModel, shared.x), championModel.threshold, sharedMix);
  return {
    champion,
    note: `compared with the champion on ${rowsText}`,
    comparison: { challenger: classificationReport(shared.y, sharedScores, model.threshold, sharedMix), rowsText },
  };
}

/** The columns `wanted` of matrix `x` (whose columns are `names`), in the order of `wanted`. */
function columnsByName(x: LabelledData['x'], names: readonly string[], wanted: readonly string[]): LabelledData['x'] {
  const from = wanted.map((name) => names.indexOf(name));
  const values = new Float64Array(x.rows * wanted.length);
  for (let r = 0; r < x.rows; r++) for (let c = 0; c < from.length; c++) values[r * from.length + c] = x.values[r * x.cols + from[c]!]!;
  return { rows: x.rows, cols: wanted.length, values };
}
