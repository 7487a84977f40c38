// What `pred` holds for a model's prediction: the class value as it appeared in the training data (binary models:
// the positive label or the negative one; multi-class: the class), typed as the label column was.

import { booleanLikeValue } from './labelVocabulary.js';

/** How a model's class values are written: as numbers (a 0/1 label), booleans (true/false), or text. */
export type ClassValueType = 'integer' | 'double' | 'boolean' | 'text';

/** The class values a model predicts, in `pred` order for binary models: [negative, positive]. */
export interface PredictedClasses {
  /** Binary: [negative, positive]; multi-class: the classes in the model's order. */
  values: string[];
  type: ClassValueType;
}

/**
 * The values `pred` takes. A binary model trained with `--positive` on a label of more than two values stores its
 * negatives joined with `|` (`"ok|review"`): that joined text is then its negative prediction, as /score's `label`.
 */
export function predictedClassesOf(model: {
  positiveLabel: string;
  negativeLabel: string;
  multiClass?: { classes: string[] };
}): PredictedClasses {
  const values = model.multiClass ? [...model.multiClass.classes] : [model.negativeLabel, model.positiveLabel];
  return { values, type: classValueType(values) };
}

/** How an integer and a number print as text (no leading zeros, no plus sign), as DuckDB casts them. */
const INTEGER_TEXT = /^-?(0|[1-9]\d*)$/;
const NUMBER_TEXT = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/;

/** Integers when every value prints as an integer, doubles when as a number, booleans for true/false, else text. */
function classValueType(values: string[]): ClassValueType {
  if (values.every((v) => INTEGER_TEXT.test(v) && Number.isSafeInteger(Number(v)))) return 'integer';
  if (values.every((v) => NUMBER_TEXT.test(v) && Number.isFinite(Number(v)))) return 'double';
  if (values.every((v) => v === 'true' || v === 'false')) return 'boolean';
  return 'text';
}

/** A class value as JSON carries it (/score's `pred`): a number, a boolean, or the text. */
export function classValueJson(value: string, type: ClassValueType): string | number | boolean {
  if (type === 'integer' || type === 'double') return Number(value);
  if (type === 'boolean') return booleanLikeValue(value) === true;
  return value;
}
