// The label values a binary model accepts as truth (feedback, evaluation, canary and drift): exactly its stored
// class values, plus one normalisation for boolean-like classes. Anything else is refused, never counted as a class.

/** The two sides of a binary model's labels, as the model file stores them. */
export interface LabelVocabulary {
  positive: string;
  /** Every value stored as negative (a model trained with `--positive` on a multi-valued label has several). */
  negatives: string[];
  /**
   * The stored classes are boolean-like (true/false, yes/no, 1/0 in any case): a truth value is then also accepted
   * in any of those spellings and as a JSON boolean, mapped onto the class with the same truth value.
   */
  booleanLike: boolean;
  /** A multi-class model's classes (`positive` is only its first): messages list them all, none named positive. */
  multiClass?: boolean;
}

export type LabelVerdict = { positive: boolean } | { refused: string };

const TRUE_WORDS = new Set(['true', 'yes']);
const FALSE_WORDS = new Set(['false', 'no']);

/** The truth value a boolean-like spelling stands for, else null: true/false, yes/no (any case), 1/0 (as number or text). */
export function booleanLikeValue(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : null;
  if (typeof value !== 'string') return null;
  const lower = value.toLowerCase();
  if (TRUE_WORDS.has(lower)) return true;
  if (FALSE_WORDS.has(lower)) return false;
  if (value.trim() === '') return null;
  const n = Number(value);
  return n === 1 ? true : n === 0 ? false : null;
}

/**
 * The vocabulary of a model's stored labels. `negativeLabel` holds several values joined with `|` when the model
 * was trained on a label with more than two values (every other value negative).
 */
export function labelVocabularyOf(model: { positiveLabel: string; negativeLabel: string; multiClass?: unknown }): LabelVocabulary {
  const negatives = model.negativeLabel.split('|');
  const positiveTruth = booleanLikeValue(model.positiveLabel);
  const booleanLike = positiveTruth !== null && negatives.length === 1 && booleanLikeValue(negatives[0]) === !positiveTruth;
  return { positive: model.positiveLabel, negatives, booleanLike, ...(model.multiClass !== undefined ? { multiClass: true } : {}) };
}

/** The allowed values, for an error message: `"fraud" (positive) or "ok"`, and the normalisation when it applies. */
export function describeAllowedLabels(v: LabelVocabulary): string {
  if (v.multiClass) return `one of ${[v.positive, ...v.negatives].map((n) => JSON.stringify(n)).join(', ')}`;
  const values = `${JSON.stringify(v.positive)} (positive) or ${v.negatives.map((n) => JSON.stringify(n)).join(', ')}`;
  return v.booleanLike ? `${values}, also as true/false, yes/no (any case), 1/0 or a JSON boolean` : values;
}

function describeGiven(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return `${typeof value} ${String(value)}`;
}

/**
 * A class value as a person reads it: trimmed, any case, and a number as its value ("1.0" is "1", " Yes" is "yes").
 * Two values with the same reading are one class spelt two ways.
 */
export function classReading(value: string): string {
  const t = value.trim();
  const n = Number(t);
  return t !== '' && Number.isFinite(n) ? String(n) : t.toLowerCase();
}

/** A numeric class matches a number (or numeric text) of the same value: label 1 is class "1", "1.0" too. */
function sameNumber(value: unknown, stored: string): boolean {
  if (stored.trim() === '') return false;
  const s = Number(stored);
  if (!Number.isFinite(s)) return false;
  if (typeof value === 'number') return value === s;
  return typeof value === 'string' && value.trim() !== '' && Number(value) === s;
}

/**
 * Which side `value` is on: exactly a stored class (text equal, or a number equal to a numeric class), or, for
 * boolean-like classes only, a spelling of the same truth value. `where` names the field in the refusal.
 */
export function classifyLabel(v: LabelVocabulary, value: unknown, where: string): LabelVerdict {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const text = String(value);
    if (text === v.positive) return { positive: true };
    if (v.negatives.includes(text)) return { positive: false };
    if (typeof value !== 'boolean') {
      if (sameNumber(value, v.positive)) return { positive: true };
      if (v.negatives.some((n) => sameNumber(value, n))) return { positive: false };
    }
    if (v.booleanLike) {
      const truth = booleanLikeValue(value);
      if (truth !== null) return { positive: truth === booleanLikeValue(v.positive) };
    }
  }
  return { refused: `${where}: expected ${describeAllowedLabels(v)}, got ${describeGiven(value)}` };
}

/** The stored class value an accepted label stands for (itself when it is one), as logs and exports keep it. */
export function canonicalLabel(v: LabelVocabulary, value: unknown, positive: boolean): string {
  const text = String(value);
  if (positive) return v.positive;
  if (v.negatives.includes(text)) return text;
  // A number matching a numeric class ("2.0" for class "2") is that class, not the first negative.
  return (typeof value !== 'boolean' ? v.negatives.find((n) => sameNumber(value, n)) : undefined) ?? v.negatives[0]!;
}
