// `rareflow evaluate`: score a labelled file with a model (a file or a registered reference) and judge it against
// a gate spec, with an optional JSON and HTML report.

import { duplicateKeyText, firstDuplicateJsonKey } from '../core/spec/duplicateJsonKeys.js';
import { readFile, mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { classCounts } from '../core/dataset.js';
import { evaluateGates } from '../core/gates/evaluateGates.js';
import { checkGateClassCodes, type GateLabels } from '../core/gates/gateClassCodes.js';
import { defaultGateSpec, parseGateSpec, type GateSpec } from '../core/gates/gateSpec.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { classificationReport } from '../core/metrics/classMetrics.js';
import { bootstrapIntervals } from '../core/metrics/bootstrapIntervals.js';
import { headlineMetrics, renderRunReport, runReportCurves } from '../core/report/runReport.js';
import { inputColumnsOf, scoreMultiClass, type ModelArtifact } from '../core/models/modelArtifact.js';
import { multiClassReport } from '../core/metrics/multiClassReport.js';
import { evaluateMultiClassGates, withClassIntervals } from '../core/gates/multiClassGates.js';
import { renderMultiClassRunReport } from '../core/report/multiClassRunReport.js';
import { MULTI_CLASS_GATE_METRICS } from '../core/spec/multiClassSpecCheck.js';
import { describeColumns, fileSha256, formatOf, tableSource } from '../data/inputSources.js';
import { SAMPLE_WEIGHT_COLUMN } from '../core/sampling/sampleWeights.js';
import { withReadErrors } from '../data/readErrors.js';
import { scoringInputWarnings } from '../data/scoringInputChecks.js';
import { readModelInputRows } from '../data/modelInputRows.js';
import { ignoredColumnsField } from '../data/reservedColumns.js';
import { checkBooleanInputColumns } from '../data/booleanInputColumns.js';
import { secondsSince } from '../stages/stageProgress.js';
import { championOnSameRows } from './evaluationChampion.js';
import { trainingRunOfInput } from './trainingRunInputs.js';
import { readAndScore } from './evaluatedRows.js';
import { syntheticRowCount } from '../data/adasynLineageColumns.js';
import { jsonFileText } from './jsonFileText.js';
import { requireReportDirectory, writeFileAtomically } from './localFiles.js';
import { loadModelReference, registeredModelField } from './modelByReference.js';
import { progressLine } from './progressLine.js';

export interface EvaluateArgs {
  model: string;
  input: string;
  label: string;
  gates?: string;
  report?: string;
  /** The input as the user named it (an `s3://` URI) when `input` is its local copy: the report names it. */
  inputAsGiven?: string | undefined;
}

export async function evaluateCommand(a: EvaluateArgs) {
  const started = performance.now();
  if (a.report) await requireReportDirectory(a.report, '--report');
  const { model, resolved } = await loadModelReference(a.model);
  // A label that is one of the model's own inputs judged the model against a feature (on Parquet without a word).
  const asInput = inputColumnsOf(model).find((c) => c.name.toLowerCase() === a.label.toLowerCase());
  if (asInput !== undefined) {
    throw new InvalidInputError(
      '--label',
      `--label ${a.label}: column "${asInput.name}" is one of the inputs the model reads, not a label; the model was trained to predict "${model.labelName}": pass --label with the column holding that label`,
    );
  }
  await refuseSyntheticRows(a.input, a.inputAsGiven);
  if (model.multiClass) {
    const evaluated = await evaluateMultiClass(a, model, started);
    return { ...evaluated, ...registeredModelField(resolved), ...(await inputWarningsField(model, a.input, a.inputAsGiven)) };
  }
  const spec = await readGateSpec(a.gates, { positive: model.positiveLabel, negative: model.negativeLabel });
  const line = progressLine('evaluate');
  let d, scores, byPredicate, report, evaluation, champion;
  try {
    line.step(`reading ${basename(a.input)}`);
    ({ d, scores, byPredicate } = await readAndScore(model, a.input, a.label, line));
    report = classificationReport(d.data.y, scores, model.threshold);
    // Champion gates compare with the registry's champion of a registered model, on the same rows.
    champion = await championOnSameRows(spec, resolved, model, a.input, a.label, d.rows);
    line.step('bootstrap intervals');
    evaluation = evaluateGates(
      spec,
      { ...report, bootstrap: bootstrapIntervals(d.data.y, scores, model.threshold, { seed: 1 }) },
      champion?.report,
      champion?.notComparable !== undefined ? { notComparable: champion.notComparable } : {},
    );
  } finally {
    line.end();
  }
  const warned = withWarnings(await inputWarningsField(model, a.input, a.inputAsGiven), largerPositiveHere(model, report, a));
  let reportPath: string | undefined;
  if (a.report) {
    await mkdir(a.report, { recursive: true });
    reportPath = join(resolve(a.report), 'report.json');
    await writeFileAtomically(
      reportPath,
      JSON.stringify({ model: a.model, input: a.inputAsGiven ?? a.input, report, gates: spec, evaluation, ...warned }, null, 1),
    );
    const [negatives, positives] = classCounts(d.data.y);
    await writeFileAtomically(
      join(resolve(a.report), 'report.html'),
      renderRunReport({
        title: `rareflow evaluation: ${basename(a.model)} on ${basename(a.inputAsGiven ?? a.input)}`,
        details: [
          `model ${model.model.kind}, threshold ${model.threshold.toFixed(4)}: ${model.thresholdReason}`,
          ...(warned.warnings ?? []),
        ],
        classCounts: [{ stage: 'evaluated rows', positives, negatives }],
        confusion: report.confusion,
        threshold: model.threshold,
        ...runReportCurves(d.data.y, scores),
        metrics: headlineMetrics(report),
        gates: evaluation,
        ...(model.selection ? { selection: model.selection } : {}),
      }),
    );
  }
  return {
    command: 'evaluate',
    model: a.model,
    ...registeredModelField(resolved),
    input: a.input,
    rows: d.rows,
    ...ignoredColumnsField(d.ignoredColumns),
    labels: { positive: model.positiveLabel, negative: model.negativeLabel, ...(byPredicate ? { positiveWhen: model.positiveWhen } : {}) },
    report,
    verdict: evaluation.verdict,
    reasons: evaluation.reasons,
    checks: evaluation.checks,
    gatesFromFile: Boolean(a.gates),
    ...(champion?.name
      ? {
          champion: { name: champion.name, ...(champion.report ? { report: champion.report } : { notComparable: champion.notComparable }) },
        }
      : {}),
    ...(reportPath ? { reportPath } : {}),
    ...warned,
    seconds: secondsSince(started),
  };
}

/**
 * `warnings` on the input: the very file the model was trained on (its figures are then in-sample), cells scored
 * with a stand-in (a missing number as the training fill, an empty category as none) and categorical values the
 * model never saw in training (they score as none of its categories).
 */
async function inputWarningsField(model: ModelArtifact, input: string, asGiven?: string): Promise<{ warnings?: string[] }> {
  const warnings: string[] = [];
  const sha256 = await fileSha256(input);
  const trainingFile = model.training?.datasetSha256 === sha256;
  // Otherwise the registry's record of the run that trained it may name this file as one of its inputs.
  const run = trainingFile ? undefined : await trainingRunOfInput(model, sha256);
  if (trainingFile) {
    warnings.push(
      `${asGiven ?? input} holds exactly the rows this model was trained on: its figures and gate verdict are measured ` +
        'on the training rows themselves and overstate how it does on new rows; evaluate it on rows it has not seen',
    );
  } else if (run !== undefined) {
    warnings.push(
      `${asGiven ?? input} is an input file of the run that trained this model (${run}), which learnt from a sample of its rows: ` +
        `its figures and gate verdict here are partly measured on training rows and overstate how it does on new rows; ` +
        `the run's own figures on its held-out test split are in rareflow runs show ${run}`,
    );
  }
  const format = formatOf(input);
  // Figures count every row once, as the pipeline's validation does: a weight column beside them is said to be unread.
  if (format !== 'arrow' && (await describeColumns(input)).some((c) => c.name === SAMPLE_WEIGHT_COLUMN)) {
    warnings.push(
      `${asGiven ?? input} has a ${SAMPLE_WEIGHT_COLUMN} column, which evaluate does not read: every row counts once in these figures and gates`,
    );
  }
  if (format !== 'arrow')
    warnings.push(...(await withReadErrors(input, () => scoringInputWarnings(model, input, tableSource(format, [input])))));
  return warnings.length ? { warnings } : {};
}

/**
 * The model's positive class is the larger one in the evaluated rows: the model learnt it as the rare class, so the
 * label likely means something else here (its values the other way round), and every figure is about the wrong class.
 */
function largerPositiveHere(model: ModelArtifact, report: { support: { positive: number; negative: number } }, a: EvaluateArgs): string[] {
  const { positive, negative } = report.support;
  if (positive <= negative) return [];
  return [
    `the model's positive class "${model.positiveLabel}" is the larger class in ${a.inputAsGiven ?? a.input} (${positive} of ${positive + negative} rows), though the model learnt it as the rare one: check that the label "${a.label}" means the same here as in the training rows`,
  ];
}

/**
 * A file `rareflow adasyn` wrote, with its synthetic rows: figures on them would measure rows made up to even the
 * classes out (mostly positives the model's own neighbours shaped), not the model on real data.
 */
async function refuseSyntheticRows(input: string, asGiven: string | undefined): Promise<void> {
  const synthetic = await syntheticRowCount(input);
  if (synthetic === 0) return;
  throw new InvalidInputError(
    '--input',
    `--input ${asGiven ?? input} holds ${synthetic} synthetic rows (its _synthetic column is true on them: rareflow adasyn wrote it); figures on them would measure rows made up to even out the classes, not the model on real data; evaluate a file of real rows (the data before adasyn, or only the rows whose _synthetic is false)`,
  );
}

/** `field` with `more` warnings added. */
function withWarnings(field: { warnings?: string[] }, more: string[]): { warnings?: string[] } {
  const warnings = [...(field.warnings ?? []), ...more];
  return warnings.length ? { warnings } : {};
}

/** The gate spec of `--gates`, or the default one; a class written "1"/"0" must name the model's class of that value. */
async function readGateSpec(file: string | undefined, labels: GateLabels): Promise<GateSpec> {
  if (!file) return defaultGateSpec();
  let json: unknown;
  let text: string;
  try {
    text = jsonFileText(await readFile(file), `--gates ${file}`);
    json = JSON.parse(text);
  } catch (err) {
    if (err instanceof InvalidInputError) throw err;
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : `not valid JSON: ${(err as Error).message}`;
    throw new InvalidInputError(`--gates ${file}`, `--gates: cannot read ${file} (${why}); expected a gate spec file`);
  }
  const duplicate = firstDuplicateJsonKey(text);
  if (duplicate) throw new InvalidInputError(`--gates ${file}`, `--gates ${file}: ${duplicateKeyText(duplicate)}`);
  const spec = parseGateSpec(json, file);
  checkGateClassCodes(json, labels, file);
  // A spec with no gates judges nothing: its verdict could never say anything about the model.
  if (spec.gates.length === 0) {
    throw new InvalidInputError(
      `--gates ${file}`,
      `--gates ${file}: gates: expected at least one gate, such as {"metric": "recall", "class": "positive", "min": 0.5}, got an empty list`,
    );
  }
  return spec;
}

/**
 * A multi-class model: each row's class as `rareflow predict` picks it, against the label, in a per-class table
 * with each class's recall interval, judged by the per-class gates (a gate on the positive class applies to every
 * class, gMean is the macro G-mean; core/gates/multiClassGates.ts), with the HTML report of a multi-class run.
 */
async function evaluateMultiClass(a: EvaluateArgs, model: ModelArtifact, started: number) {
  const classes = model.multiClass!.classes;
  const spec = await readGateSpec(a.gates, { classes });
  if (a.gates) checkMultiClassGates(spec, a.gates, `${a.model} is a multi-class model (classes ${classes.join(', ')})`);
  if (formatOf(a.input) === 'arrow') {
    throw new InvalidInputError(
      '--input',
      `--input: ${a.input} is a rareflow Arrow dataset with 0/1 labels; a multi-class model is evaluated on a CSV or Parquet file holding its label column`,
    );
  }
  await checkBooleanInputColumns(a.input, model);
  const d = await readModelInputRows(model, a.input, a.label, { kind: 'classes', classes });
  // One class alone gives a macro G-mean of its recall and no false alarm to count: nothing to judge the model by.
  const present = [...new Set(d.y)];
  if (present.length < 2) {
    throw new InvalidInputError(
      '--input',
      `--input ${a.input}: label column "${a.label}" holds only the class "${classes[present[0] ?? 0]}" (${d.rows} rows); a multi-class model is evaluated on rows of at least two of its classes`,
    );
  }
  const { predicted } = scoreMultiClass(model, d.x);
  const report = withClassIntervals(multiClassReport(classes, d.y, predicted));
  const evaluation = evaluateMultiClassGates(spec, report);
  let reportPath: string | undefined;
  if (a.report) {
    await mkdir(a.report, { recursive: true });
    reportPath = join(resolve(a.report), 'report.json');
    await writeFileAtomically(
      reportPath,
      JSON.stringify({ model: a.model, input: a.inputAsGiven ?? a.input, report, gates: spec, evaluation }, null, 1),
    );
    await writeFileAtomically(
      join(resolve(a.report), 'report.html'),
      renderMultiClassRunReport({
        title: `rareflow evaluation: ${basename(a.model)} on ${basename(a.inputAsGiven ?? a.input)}`,
        details: [`multi-class model (${classes.length} classes, one-vs-rest ${model.model.kind}): ${model.thresholdReason}`],
        stages: [{ stage: 'evaluated rows', rowsIn: d.rows, rowsOut: d.rows }],
        report,
        thresholds: model.multiClass!.thresholds,
        ...(model.selection ? { selection: model.selection } : {}),
        gates: evaluation,
      }),
    );
  }
  // A class of the model with no row here: the macro figures are over the others, which a reader must be told.
  const absent = classes.filter((_, c) => !present.includes(c));
  const warnings = absent.length
    ? [
        `the macro G-mean and accuracy cover ${classes.length - absent.length} of the model's ${classes.length} classes: ${absent.map((c) => `"${c}"`).join(', ')} ${absent.length === 1 ? 'has' : 'have'} no rows in ${a.inputAsGiven ?? a.input}, so ${absent.length === 1 ? 'its' : 'their'} recall is undefined and the gates judge the others`,
      ]
    : [];
  return {
    command: 'evaluate',
    model: a.model,
    input: a.input,
    rows: d.rows,
    ...ignoredColumnsField(d.ignoredColumns),
    ...(warnings.length ? { warnings } : {}),
    classes,
    report,
    verdict: evaluation.verdict,
    reasons: evaluation.reasons,
    checks: evaluation.checks,
    gatesFromFile: Boolean(a.gates),
    ...(reportPath ? { reportPath } : {}),
    seconds: secondsSince(started),
  };
}

/**
 * Refuses, naming the key, a gate that has no multi-class meaning: a two-class metric (PR-AUC, Brier, …), the
 * `negative` class (the rest of a two-class label), or `lower95` on gMean (a two-class bootstrap interval).
 */
function checkMultiClassGates(spec: GateSpec, file: string, modelText: string): void {
  const gated = `a multi-class model is gated on ${MULTI_CLASS_GATE_METRICS.join(', ')} (a gate on class "positive" applies to every class; gMean is the macro G-mean)`;
  spec.gates.forEach((gate, i) => {
    const at = `gates[${i}]`;
    const refuse = (key: string, what: string) => {
      throw new InvalidInputError(`--gates ${file}`, `--gates ${file}: ${at}.${key}: ${what}, but ${modelText}; ${gated}`);
    };
    if (!(MULTI_CLASS_GATE_METRICS as readonly string[]).includes(gate.metric)) refuse('metric', `"${gate.metric}" is a two-class metric`);
    if (gate.class === 'negative') refuse('class', '"negative" names the rest of a two-class label');
    if (gate.metric === 'gMean' && gate.use === 'lower95') refuse('use', '"lower95" on gMean needs the two-class bootstrap interval');
  });
}
