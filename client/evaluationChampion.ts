// The champion `rareflow evaluate` compares a registered model with when its gates hold champion gates
// (`maxDropVsChampion`): the model its name's `champion` alias points at in the registry, scored on the same rows.
// Before, evaluate never looked, said "no champion to compare against" and passed a challenger the pipeline rejects.

import type { ClassificationReport } from '../core/metrics/classMetrics.js';
import { classificationReport } from '../core/metrics/classMetrics.js';
import type { GateSpec } from '../core/gates/gateSpec.js';
import { InvalidInputError } from '../core/invalidInputError.js';
import type { ModelArtifact } from '../core/models/modelArtifact.js';
import type { ResolvedModel } from '../data/modelReference.js';
import { readAndScore } from './evaluatedRows.js';
import { loadModelReference } from './modelByReference.js';

export interface ChampionOnRows {
  /** `NAME@champion (version N)`. */
  name: string;
  /** Its report on the rows the model was evaluated on. */
  report?: ClassificationReport;
  /** Why it could not be scored on them. */
  notComparable?: string;
}

/**
 * The registry's champion of `resolved`'s name scored on `input` (which gave the model `rows` rows), when `spec` has
 * champion gates and the model is registered and not the champion itself; undefined when there is none to compare.
 */
export async function championOnSameRows(
  spec: GateSpec,
  resolved: ResolvedModel,
  model: ModelArtifact,
  input: string,
  label: string,
  rows: number,
): Promise<ChampionOnRows | undefined> {
  if (!spec.gates.some((g) => g.maxDropVsChampion !== undefined) || resolved.source !== 'registry') return undefined;
  let found;
  try {
    found = await loadModelReference(`${resolved.record.modelName}@champion`, () => undefined);
  } catch (err) {
    // No champion alias for the name yet: nothing to compare with.
    if (err instanceof InvalidInputError) return undefined;
    throw err;
  }
  if (found.resolved.source !== 'registry' || found.resolved.record.modelSha256 === resolved.record.modelSha256) return undefined;
  const champion = found.model;
  const name = `${resolved.record.modelName}@champion (version ${found.resolved.version})`;
  if (champion.multiClass) return { name, notComparable: `${name} is a multi-class model` };
  if (champion.positiveLabel !== model.positiveLabel || champion.negativeLabel !== model.negativeLabel) {
    return {
      name,
      notComparable: `${name} predicts "${champion.positiveLabel}" against "${champion.negativeLabel}", the model "${model.positiveLabel}" against "${model.negativeLabel}"`,
    };
  }
  try {
    const { d, scores } = await readAndScore(champion, input, label);
    if (d.rows !== rows) return { name, notComparable: `${name} reads ${d.rows} rows of ${input}, the model ${rows}` };
    return { name, report: classificationReport(d.data.y, scores, champion.threshold) };
  } catch (err) {
    if (err instanceof InvalidInputError) return { name, notComparable: `${name} cannot score ${input}: ${err.message}` };
    throw err;
  }
}
