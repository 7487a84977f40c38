// "Did you mean …?" for a mistyped key: the known name at the smallest edit distance, when it is close enough.

/**
 * Edit distance with adjacent transpositions (optimal string alignment), case-insensitive: `mni` is one edit from
 * `min`, and a user who writes `modelname` means `modelName`.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let before: number[] = [];
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      current[j] = d;
    }
    before = previous;
    previous = current;
  }
  return previous[t.length]!;
}

/**
 * The candidate closest to `name`: within a third of the name's length in edits (at least 1, at most 3), or else
 * sharing its first 60% (at least 4 characters), or the one being the start of the other.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (bestDistance <= limit && bestDistance < name.length) return best;
  // A different ending of the same word (`sampler` for `sampling`): a long shared prefix.
  const lower = name.toLowerCase();
  const prefix = (c: string) => {
    let i = 0;
    while (i < lower.length && i < c.length && lower[i] === c[i]!.toLowerCase()) i++;
    return i;
  };
  const needed = Math.max(4, Math.ceil(name.length * 0.6));
  // Or one is the start of the other (`minimum` for `min`), over at least 3 characters.
  const fits = (c: string) => prefix(c) >= needed || (prefix(c) >= 3 && prefix(c) === Math.min(c.length, name.length));
  return candidates.filter(fits).sort((a, b) => prefix(b) - prefix(a))[0];
}
