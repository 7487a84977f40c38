// A challenger must predict every class its champion predicts. A retrain on a window where a class happened to be
// absent (a drift window without a single row of the rarest class, say) trains a model that can never predict that
// class; judged only on its own test split, which lacks the class too, it would pass every gate and replace a
// champion that did. The validate stage fails such a challenger with this reason before any promotion.

import { booleanLikeValue, classReading } from '../labels/labelVocabulary.js';
import type { ModelArtifact } from '../models/modelArtifact.js';
import { allPassedReason, type GateEvaluation } from './evaluateGates.js';

type ClassesOf = Pick<ModelArtifact, 'multiClass' | 'positiveLabel' | 'negativeLabel' | 'positiveWhen'>;

/**
 * The label values a model was trained on: a multi-class model's classes; a two-class model's positive value and its
 * negative value(s). Undefined when positives were defined by a predicate (`positiveWhen`): its classes are not label
 * values.
 */
export function trainedClasses(model: ClassesOf): string[] | undefined {
  if (model.multiClass) return model.multiClass.classes;
  if (model.positiveWhen !== undefined) return undefined;
  return [model.positiveLabel, ...model.negativeLabel.split('|')];
}

/**
 * The classes a model names in its predictions: every class of a multi-class model; a two-class model's positive
 * value only (its other prediction is "not positive", whatever the other values were).
 */
export function namedClasses(model: ClassesOf): string[] | undefined {
  if (model.multiClass) return model.multiClass.classes;
  return model.positiveWhen !== undefined ? undefined : [model.positiveLabel];
}

/**
 * The classes the champion names that the challenger was trained without (empty when none, or when either defines
 * its positives by a predicate). A challenger trained on all the classes, one of them against the rest (a spec that
 * chose a positive), keeps them.
 */
export function droppedClasses(champion: ClassesOf, challenger: ClassesOf): string[] {
  const before = namedClasses(champion);
  const now = trainedClasses(challenger);
  if (before === undefined || now === undefined) return [];
  // Two two-class models whose labels share no value at all were trained on a label spelt another way (fraud/ok,
  // then 1/0): not a class left out, but two labels that cannot be compared (the validate stage says so).
  if (!champion.multiClass && !challenger.multiClass && disjointLabels(champion, challenger)) return [];
  // Read as a person reads them: a class spelt "1.0" or "Yes" in one file and "1" or "yes" in another is kept.
  const kept = new Set(now.map(labelReading));
  return before.filter((c) => !kept.has(labelReading(c)));
}

/** A label value as a person reads it; boolean spellings as their truth value (true/false, 1/0, yes/no are one label). */
function labelReading(v: string): string {
  const truth = booleanLikeValue(v);
  return truth === null ? classReading(v) : String(truth);
}

/**
 * Whether two models' label values (as a person reads them) have none in common. Boolean spellings read as their
 * truth value: a true/false label and a 1/0 (or yes/no) label are one label.
 */
export function disjointLabels(a: ClassesOf, b: ClassesOf): boolean {
  const of = (m: ClassesOf) => trainedClasses(m)?.map(labelReading);
  const [x, y] = [of(a), of(b)];
  if (x === undefined || y === undefined) return false;
  return !x.some((v) => y.includes(v));
}

/**
 * Whether a two-class challenger was trained on another label than its champion, as a person reads their values:
 * another positive value, or a value the champion never had ({0, 1} then {1, 2}: "1" is in both but names the other
 * class; {0, 1} then {0, 1, 2} with 1 chosen: "2" joined the negatives). Their figures then measure different things
 * and are not compared. Fewer values is the same label (a drift window exports a champion's several negative values
 * as its first). False when either defines its positives by a predicate.
 */
export function relabelled(champion: ClassesOf, challenger: ClassesOf): boolean {
  const [before, now] = [trainedClasses(champion), trainedClasses(challenger)];
  if (before === undefined || now === undefined) return false;
  if (labelReading(champion.positiveLabel) !== labelReading(challenger.positiveLabel)) return true;
  const known = new Set(before.map(labelReading));
  return now.some((v) => !known.has(labelReading(v)));
}

/** The sentence that fails a challenger trained without some of the champion's classes. */
export function droppedClassesReason(dropped: readonly string[]): string {
  const list = dropped.map((c) => `"${c}"`).join(', ');
  const one = dropped.length === 1;
  return (
    `classes: the champion predicts the class${one ? '' : 'es'} ${list}, but this model was trained on rows without ${one ? 'that class' : 'those classes'}, ` +
    `so it could never predict ${one ? 'that class' : 'those classes'}; retrain on data that has ${one ? 'it' : 'them'}`
  );
}

/** The evaluation failed for dropped classes (its checks kept, the reason first), or unchanged when none were dropped. */
export function withClassCoverage(evaluation: GateEvaluation, champion: ClassesOf | undefined, challenger: ClassesOf): GateEvaluation {
  if (!champion) return evaluation;
  const dropped = droppedClasses(champion, challenger);
  if (dropped.length === 0) return evaluation;
  // A verdict that passed said so in a reason of its own, which no longer holds.
  const passed = allPassedReason(evaluation.checks.filter((c) => c.passed !== null).length);
  return {
    ...evaluation,
    verdict: 'fail',
    reasons: [droppedClassesReason(dropped), ...evaluation.reasons.filter((r) => r !== passed)],
  };
}
