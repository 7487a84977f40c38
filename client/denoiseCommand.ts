// `rareflow denoise`: the label-noise filter of the retrain pipeline (ENN and its relatives) run on one file in one
// process, without Temporal. Returns a JSON-plain summary that the CLI prints.

import { rm } from 'node:fs/promises';
import { DENOISE_METHODS_READING_K } from '../core/spec/specCrossChecks.js';
import { identifierColumnWarnings } from '../core/features/identifierColumns.js';
import { LEAVE_OUT_OF_FILE } from './fitReadWarnings.js';
import { takeRows } from '../core/dataset.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import { type DistanceScaling } from '../core/neighbors/distanceSpace.js';
import { oneHotGroups } from '../core/features/oneHotFeatures.js';
import type { LabelNoiseMethod } from '../stages/denoise.js';
import { checkMemoryBudget, neighbourMemory } from '../core/resources/memoryEstimate.js';
import { memoryBudget } from '../data/memoryBudget.js';
import type { NeighborSearch } from '../workflows/contract.js';
import { writeLabelledTable } from '../data/datasetWriter.js';
import { inexactIntegerWarnings } from '../data/inexactIntegerColumns.js';
import { ignoredColumnsField } from '../data/reservedColumns.js';
import { checkRemovedRowsPath, removedRowsColumns, writeRemovedRows } from '../data/removedRowsTable.js';
import { type MissingValueArgs } from './missingValueFlags.js';
import { secondsSince } from '../stages/stageProgress.js';
import { readFilledInput, withWeightColumn, type LabelledFileArgs } from './labelledInput.js';
import { requireOutputDirectory } from './localFiles.js';
import { requireArrowKeepsLabels, stageLabelWarnings } from './stageOutputChecks.js';

// What only one command uses is loaded when that command runs, a cost every other command would otherwise pay
// before reading its input.
const denoiseStageModule = () => import('../stages/denoise.js');

const DEFAULT_DENOISE_K = 3;

export async function denoiseCommand(
  a: LabelledFileArgs &
    MissingValueArgs & {
      /** Read by enn and renn only (default 3); given with another method, refused. */
      k?: number;
      method: string;
      neighbors: NeighborSearch;
      scaling: DistanceScaling;
      removed?: string;
    },
) {
  const started = performance.now();
  if (!['enn', 'renn', 'tomek', 'confident'].includes(a.method)) {
    throw new InvalidInputError('--method', `--method: expected enn, renn, tomek or confident, got "${a.method}"`);
  }
  const readsK = DENOISE_METHODS_READING_K.includes(a.method);
  if (a.k !== undefined && !readsK) {
    const why =
      a.method === 'tomek'
        ? 'Tomek links pair each row with its one nearest neighbour'
        : 'confident learning reads out-of-fold probabilities';
    throw new InvalidInputError(
      '--k',
      `--k ${a.k}: --method ${a.method} reads no k (${why}); only --method enn and renn take --k, so leave it out or choose one of them`,
    );
  }
  // Tomek links search one neighbour per row; confident learning searches none (k is then unused).
  const k = readsK ? (a.k ?? DEFAULT_DENOISE_K) : 1;
  const out = await requireOutputDirectory(a.out);
  // --removed is checked as --out is, before any work: a directory that cannot be written failed after --out was written.
  const removedPath = a.removed !== undefined ? await checkRemovedRowsPath(a.removed, out) : undefined;
  if (a.removed !== undefined) await requireOutputDirectory(a.removed, '--removed');
  const { d, weights, missingValues } = await readFilledInput(a);
  requireArrowKeepsLabels(out, a.label, d.positiveLabel, d.negativeLabel);
  checkMemoryBudget(
    [neighbourMemory(`label-noise filtering (${a.method})`, d.rows, d.featureNames.length, k, readsK ? '--k' : 'the rows of --input')],
    memoryBudget(),
  );
  const { filterAndType, rennStopText } = await denoiseStageModule();
  const groups = oneHotGroups(d.featureNames, d.categorical);
  const { cleaning, typing, index, setAside } = filterAndType(
    d.data,
    a.method as LabelNoiseMethod,
    k,
    a.neighbors,
    a.scaling,
    a.seed,
    groups,
    undefined,
    weights,
  );
  const cleaned = takeRows(d.data, cleaning.kept);
  const warnings = [
    ...stageLabelWarnings(d.data.y, d.positiveLabel, d.negativeLabel),
    ...identifierColumnWarnings(d.data.x, d.featureNames, 'the neighbour search measures distances on it', LEAVE_OUT_OF_FILE),
    ...[rennStopText(cleaning)].filter((w) => w !== undefined),
    ...inexactIntegerWarnings(d.inexactIntegers ?? [], 'the rows written to the output file carry the rounded values'),
  ];
  const keptWeights = weights ? Float64Array.from(cleaning.kept, (r) => weights[r]!) : undefined;
  await writeLabelledTable(out, {
    ...withWeightColumn(cleaned, d.featureNames, keptWeights),
    labelName: a.label,
    labelValues: [d.negativeLabel, d.positiveLabel],
    labelSqlType: d.labelType,
    categorical: d.categorical,
  });
  if (removedPath) {
    // The two files are one result: --out is taken back when the removed rows cannot be written.
    await writeRemovedRows(removedPath, cleaning, d.data.y, [d.negativeLabel, d.positiveLabel], d.labelType).catch(async (err: unknown) => {
      await rm(out, { force: true });
      throw err;
    });
  }
  return {
    command: 'denoise',
    ...(weights ? { sampleWeight: 'carried' } : {}),
    method: a.method,
    ...(readsK ? { k } : {}),
    neighbors: index.kind,
    distances: a.scaling,
    out,
    ...(removedPath ? { removed: { file: removedPath, rows: cleaning.removed.length, columns: removedRowsColumns(cleaning) } } : {}),
    rowsIn: d.rows,
    ...ignoredColumnsField(d.ignoredColumns),
    rowsOut: cleaned.y.length,
    removedNegatives: cleaning.removedPerClass[0],
    removedPositives: cleaning.removedPerClass[1],
    ...(setAside > 0 ? { zeroWeightRowsSetAside: setAside } : {}),
    ...(cleaning.roundsApplied !== undefined ? { rounds: cleaning.roundsApplied, stoppedBecause: cleaning.stoppedBecause } : {}),
    minorityTypes: typing.counts,
    ...(missingValues ? { missingValues } : {}),
    ...(warnings.length ? { warnings } : {}),
    seconds: secondsSince(started),
  };
}
