// A two-class label spelt yes/no (or y/n, t/f, true/false, positive/negative) whose rarer value, taken as the positive
// class, is the "no": every score is then the probability of "no", which a reader of the predictions may not expect.

const NO_WORDS = new Set(['no', 'n', 'f', 'false', 'negative', 'neg']);
const YES_WORDS = new Set(['yes', 'y', 't', 'true', 'positive', 'pos']);

/**
 * The warning, or none: `positive` is the class taken as positive, `negative` the other; `choose(value)` says how the
 * user names the positive class where they are (`pass --positive "yes"`, or the spec's `input.positive`).
 */
export function negativeWordPositiveWarning(positive: string, negative: string, choose: (value: string) => string): string[] {
  if (!NO_WORDS.has(positive.trim().toLowerCase()) || !YES_WORDS.has(negative.trim().toLowerCase())) return [];
  return [
    `the positive class is "${positive}", the rarer value of the label: scores are the probability of "${positive}" and pred names "${positive}" as the positive; if you meant "${negative}", ${choose(negative)}`,
  ];
}
