// Checks an evaluation file's label values against the model's stored classes before anything is scored: a value
// that is not one of them (or its boolean-like spelling) is bad input, never silently a negative.

import { classifyLabel, describeAllowedLabels, labelVocabularyOf } from '../core/labels/labelVocabulary.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { ModelArtifact } from '../core/models/modelArtifact.js';
import { describeLabelledSource, labelCounts } from '../data/labelClasses.js';
import { formatOf, requireFile, labelledSource } from '../data/inputSources.js';
import { withReadErrors } from '../data/readErrors.js';
import { missingValueCondition } from '../data/columnTypes.js';
import { sqlIdentifier, withDuckDB } from '../data/duckdbConnection.js';

/**
 * The file's spelling of the model's positive class (what the reader maps to y = 1), after checking every label
 * value in `input` is one of the model's classes. Our Arrow artifacts hold 0/1 labels already: the model's own.
 */
export async function positiveSpellingIn(input: string, labelColumn: string, model: ModelArtifact): Promise<string> {
  if (formatOf(input) === 'arrow') return model.positiveLabel;
  await requireFile(input);
  const vocabulary = labelVocabularyOf(model);
  const classes = await withReadErrors(input, () =>
    withDuckDB(async (connection) => {
      const source = await labelledSource(connection, formatOf(input) as 'csv' | 'parquet', [input], labelColumn);
      const { labelType } = await describeLabelledSource(connection, source, input, labelColumn);
      return (await labelCounts(connection, source, labelColumn, missingValueCondition(sqlIdentifier(labelColumn), labelType))).classes;
    }),
  );
  const positives: string[] = [];
  for (const { value, count } of classes) {
    const verdict = classifyLabel(vocabulary, value, `label column "${labelColumn}"`);
    if ('refused' in verdict) {
      throw new InvalidInputError(
        `label column "${labelColumn}"`,
        `label column "${labelColumn}" in ${input} holds ${JSON.stringify(value)} (${count} rows), which is not a class of this model; expected ${describeAllowedLabels(vocabulary)}: fix or drop such rows`,
      );
    }
    if (verdict.positive) positives.push(value);
  }
  if (positives.length > 1) {
    throw new InvalidInputError(
      `label column "${labelColumn}"`,
      `label column "${labelColumn}" in ${input} spells the positive class ${model.positiveLabel} in ${positives.length} ways (${positives.map((p) => JSON.stringify(p)).join(', ')}); expected one spelling`,
    );
  }
  return positives[0] ?? model.positiveLabel;
}
