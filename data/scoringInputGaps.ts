// Cells of a scoring input that a model scores with a stand-in rather than a value: a missing number scored as the
// model's training fill, a categorical cell with no category scored as none of its categories. Both are defined
// answers (the model was trained to give them), but a file full of them is not scored as it looks, so batch scoring
// and evaluate count them per column and say so, beside the categories the model never saw.

import { inputColumnsOf, type ModelArtifact } from '../core/models/modelArtifact.js';
import { nonEmptyText } from './columnTypes.js';
import { sqlCountWhere, sqlIdentifier, toNumber } from './duckdbConnection.js';
import type { InputCheck } from './scoringInputChecks.js';
import { CSV_MISSING_MARKERS, formatOf } from './inputSources.js';

const MISSING_MARKERS: ReadonlySet<string> = new Set(CSV_MISSING_MARKERS.filter((m) => m !== ''));

/** The check for such cells, as aggregates over the scoring input and the warnings read from their values; undefined when no column can have them. */
export function scoringGapCheck(model: ModelArtifact, input: string): InputCheck | undefined {
  const fills = model.missingValues?.fillValues;
  const csv = formatOf(input) === 'csv';
  const columns = inputColumnsOf(model).flatMap((c): Array<{ name: string; fill?: number; marker?: string }> => {
    // A category the model learnt (from a Parquet file) that a CSV reads as a missing-value marker ("?", "NA").
    const marker = csv && c.kind === 'categorical' ? c.categories.find((v) => MISSING_MARKERS.has(v)) : undefined;
    if (c.kind === 'categorical') return [{ name: c.name, ...(marker !== undefined ? { marker } : {}) }];
    const at = model.featureNames.indexOf(c.name);
    return fills && at >= 0 ? [{ name: c.name, fill: fills[at]! }] : [];
  });
  if (columns.length === 0) return undefined;
  const aggregates = columns.map(({ name, fill }) => {
    const ident = sqlIdentifier(name);
    const missing =
      fill === undefined
        ? `${ident} IS NULL OR NOT ${nonEmptyText(`CAST(${ident} AS VARCHAR)`)}`
        : `${ident} IS NULL OR isnan(CAST(${ident} AS DOUBLE))`;
    return sqlCountWhere(missing);
  });
  // Where the fill came from: a constant the user gave, or a statistic of the training rows (the column may have had
  // no gap in training: the fill is still the one the model scores a gap with).
  const policy = model.missingValues?.policy;
  const fillOrigin = policy === 'constant' ? 'the constant its missing-value policy was given' : `the ${policy} of its training rows`;
  const warnings = (values: readonly unknown[], rows: number): string[] =>
    columns.flatMap(({ name, fill, marker }, i) => {
      const count = toNumber(values[i] ?? 0);
      if (count === 0) return [];
      const some = `${count} of ${rows} rows ${count === 1 ? 'has' : 'have'}`;
      return [
        fill === undefined
          ? `column "${name}" of ${input}: ${some} no category (an empty cell or a missing-value marker); ${count === 1 ? 'it scores' : 'they score'} as none of its categories${marker === undefined ? '' : `. The model learnt ${JSON.stringify(marker)} as a category, but a CSV cell ${JSON.stringify(marker)} reads as missing: score a Parquet copy to score such cells as that category`}`
          : `column "${name}" of ${input}: ${some} no value (an empty cell, NaN or a missing-value marker); ${count === 1 ? 'it scores' : 'they score'} with the model's fill ${fill} (${fillOrigin})`,
      ];
    });
  return { aggregates, warnings };
}
