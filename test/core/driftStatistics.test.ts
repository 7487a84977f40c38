// Exact-number tests of the drift statistics: PSI, KS, chi-square with the incomplete gamma, and BH.
// Expected values were computed once offline with scipy 1.17.1 / numpy 2.4 (noted per case); no Python at test time.

import { describe, expect, it } from 'vitest';
import { benjaminiHochberg, rejectedAt } from '../../core/drift/benjaminiHochberg.js';
import { chiSquareGoodnessOfFit, chiSquareSurvival, logGamma, regularizedGammaQ } from '../../core/drift/chiSquare.js';
import { kolmogorovSmirnov, kolmogorovSurvival } from '../../core/drift/kolmogorovSmirnov.js';
import {
  categoricalPopulationStabilityIndex,
  categoricalReference,
  populationStabilityIndex,
  psiFromProportions,
  referenceBins,
} from '../../core/drift/populationStabilityIndex.js';
import { InvalidInputError } from '../../core/invalidInputError.js';

const f64 = (a: number[]): Float64Array => Float64Array.from(a);

describe('population stability index', () => {
  it('bins the reference by quantiles and scores a hand-built shift', () => {
    // 1..10 in 5 bins: edges x_(2), x_(4), x_(6), x_(8) = 3, 5, 7, 9, two rows per bin.
    const bins = referenceBins(f64([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]), 5);
    expect(bins).toEqual({ edges: [3, 5, 7, 9], proportions: [0.2, 0.2, 0.2, 0.2, 0.2], n: 10 });
    // Current proportions 0.4, 0.1, 0.1, 0.1, 0.3: PSI = 0.2·ln 2 + 3·0.1·ln 2 + 0.1·ln 1.5
    // = 0.38712010109078904 (numpy: sum((c − r)·log(c/r))).
    const result = populationStabilityIndex(bins, f64([1, 1, 1, 1, 4, 6, 8, 10, 10, 10]));
    expect(result.currentProportions).toEqual([0.4, 0.1, 0.1, 0.1, 0.3]);
    expect(result.n).toBe(10);
    expect(result.psi).toBeCloseTo(0.2 * Math.LN2 + 0.3 * Math.LN2 + 0.1 * Math.log(1.5), 14);
    expect(result.psi).toBeCloseTo(0.38712010109078904, 14);
  });

  it('is 0 for the reference itself and floors empty bins at epsilon', () => {
    const values = f64([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const bins = referenceBins(values, 5);
    expect(populationStabilityIndex(bins, values).psi).toBe(0);
    // All current rows in bin 0: proportions floored at 1e-4; numpy gives 7.36523193659713.
    const all = populationStabilityIndex(bins, f64([0, 0, 0, 0]));
    expect(all.currentProportions).toEqual([1, 0, 0, 0, 0]);
    expect(all.psi).toBeCloseTo(7.36523193659713, 12);
    expect(populationStabilityIndex(bins, f64([0, 0, 0, 0]), { epsilon: 1e-3 }).psi).toBeLessThan(all.psi);
  });

  it('merges repeated edges of a discrete feature and drops an edge at the minimum', () => {
    // 70% zeros: every quantile edge is 0 or 1; the edge 0 would leave bin 0 empty, so only [1] remains.
    const binary = f64([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(referenceBins(binary, 10)).toEqual({ edges: [1], proportions: [0.7, 0.3], n: 10 });
    const constant = referenceBins(f64([4, 4, 4]), 10);
    expect(constant).toEqual({ edges: [], proportions: [1], n: 3 });
    expect(populationStabilityIndex(constant, f64([5, 6])).psi).toBe(0);
    // A categorical code: 0,1,2 with counts 5,3,2 → edges 1, 2.
    expect(referenceBins(f64([0, 0, 0, 0, 0, 1, 1, 1, 2, 2]), 10)).toEqual({ edges: [1, 2], proportions: [0.5, 0.3, 0.2], n: 10 });
  });

  it('keeps the reference JSON-plain', () => {
    const bins = referenceBins(f64([3, 1, 2, 5, 4]), 4);
    expect(JSON.parse(JSON.stringify(bins))).toEqual(bins);
    expect(Array.isArray(bins.edges) && Array.isArray(bins.proportions)).toBe(true);
  });

  it('scores categories with an "other" bucket for unseen values', () => {
    const ref = categoricalReference(['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'd'], { maxCategories: 2 });
    expect(ref).toEqual({ categories: ['a', 'b'], proportions: [0.4, 0.3, 0.3], n: 10 });
    const cur = categoricalPopulationStabilityIndex(ref, ['a', 'a', 'b', 'z', 'z', 'z', 'c', 'c', 'c', 'c']);
    expect(cur.currentProportions).toEqual([0.2, 0.1, 0.7]);
    const expected = (0.2 - 0.4) * Math.log(0.5) + (0.1 - 0.3) * Math.log(1 / 3) + (0.7 - 0.3) * Math.log(0.7 / 0.3);
    expect(cur.psi).toBeCloseTo(expected, 14);
    // Every category known: an unseen-only window puts everything in "other" (reference 0 → floored).
    const full = categoricalReference(['x', 'y']);
    expect(full.proportions).toEqual([0.5, 0.5, 0]);
    expect(categoricalPopulationStabilityIndex(full, ['new']).psi).toBeCloseTo(psiFromProportions([0.5, 0.5, 0], [0, 0, 1], 1e-4), 14);
  });

  it('rejects bad input, naming the parameter', () => {
    expect(() => referenceBins(f64([]))).toThrow('values: expected at least one value, got none');
    expect(() => referenceBins(f64([1, NaN]))).toThrow('values: expected finite values, got NaN at index 1');
    expect(() => referenceBins(f64([1, 2]), 1)).toThrow('bins: expected an integer ≥ 2, got 1');
    const bins = referenceBins(f64([1, 2, 3]));
    expect(() => populationStabilityIndex(bins, f64([]))).toThrow(InvalidInputError);
    expect(() => populationStabilityIndex(bins, f64([1]), { epsilon: 0 })).toThrow('epsilon: expected a proportion in (0, 1), got 0');
    expect(() => categoricalReference([])).toThrow('values: expected at least one value, got none');
  });
});

describe('two-sample Kolmogorov–Smirnov', () => {
  // scipy 1.17.1: stats.ks_2samp(a, b, method='asymp') → D; stats.kstwobign.sf((√n_e + 0.12 + 0.11/√n_e)·D) → p
  // (the Stephens-corrected asymptotic p this module computes); current scipy's asymp p is noted for comparison.
  const a = f64([
    0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56, 0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37, 1.77, 1.09, -1.28, 2.36, 1.31, 1.05,
    -0.32, -0.4, 1.06, -2.47,
  ]);
  const b = f64([2.2, 1.66, 1.38, 0.2, 0.36, 0, 0.96, 1.56, 0.44, 1.5, -0.3, 0.66, 2.31, 3.29, -0.27, -0.37, 0.38, 0.7, 0.52, -0.71, 0.39]);

  it('matches scipy on two small samples', () => {
    const r = kolmogorovSmirnov(a, b);
    expect(r.statistic).toBeCloseTo(0.2323809523809524, 14);
    expect(r.pValue).toBeCloseTo(0.5111627973691216, 12);
    expect(r.effectiveN).toBeCloseTo((25 * 21) / 46, 12);
    // scipy ≥ 1.5 (kstwo.sf(D, round(n_e))) gives 0.5188928316802324.
    expect(Math.abs(r.pValue - 0.5188928316802324)).toBeLessThan(0.01);
    expect(kolmogorovSmirnov(b, a).statistic).toBe(r.statistic);
  });

  it('handles ties across the samples as scipy does', () => {
    // scipy: D = 4/7 = 0.5714285714285714, Stephens p = 0.15504417912365295 (asymp 0.1885, exact 0.1469).
    const r = kolmogorovSmirnov(f64([1, 2, 2, 3, 4, 5]), f64([2, 2, 3, 6, 7, 8, 9]));
    expect(r.statistic).toBeCloseTo(4 / 7, 15);
    expect(r.pValue).toBeCloseTo(0.15504417912365295, 12);
  });

  it('is 0 with p = 1 for identical samples and 1 for disjoint ones', () => {
    const same = kolmogorovSmirnov(a, a);
    expect(same.statistic).toBe(0);
    expect(same.pValue).toBe(1);
    const apart = kolmogorovSmirnov(f64([1, 2, 3]), f64([4, 5, 6, 7]));
    expect(apart.statistic).toBe(1);
  });

  it('computes the Kolmogorov survival function on both sides of λ = 1.18', () => {
    // scipy.stats.kstwobign.sf(λ)
    const table: [number, number][] = [
      [0.3, 0.9999906941986655],
      [0.8, 0.5441424115741981],
      [1.0, 0.26999967167735456],
      [1.17, 0.12939004218561884],
      [1.19, 0.11774229287977166],
      [1.5, 0.022217962616525127],
      [2.5, 7.453306344157342e-6],
    ];
    for (const [lambda, q] of table) expect(kolmogorovSurvival(lambda)).toBeCloseTo(q, 13);
    expect(kolmogorovSurvival(0)).toBe(1);
  });

  it('rejects empty or non-finite samples, naming the sample', () => {
    expect(() => kolmogorovSmirnov(f64([]), a)).toThrow('sample1: expected at least one value, got none');
    expect(() => kolmogorovSmirnov(a, f64([1, NaN]))).toThrow('sample2: expected finite values, got NaN at index 1');
  });
});

describe('chi-square label-prior test', () => {
  it('computes ln Γ and the regularized upper incomplete gamma as scipy does', () => {
    // math.lgamma
    const lg: [number, number][] = [
      [0.1, 2.2527126517342055],
      [0.5, 0.5723649429247004],
      [1, 0],
      [2.5, 0.2846828704729196],
      [10, 12.801827480081467],
      [100.5, 361.4355404677776],
    ];
    for (const [x, v] of lg) expect(logGamma(x)).toBeCloseTo(v, 12);
    // scipy.special.gammaincc(a, x) for x in 0.01, 0.5, 1, 5, 20, 150; compared in relative error.
    const xs = [0.01, 0.5, 1, 5, 20, 150];
    const table: [number, number[]][] = [
      [
        0.5,
        [0.887537083981715, 0.31731050786291115, 0.15729920705028105, 0.001565402258002549, 2.5396285894708634e-10, 3.2943623833139784e-67],
      ],
      [1, [0.990049833749168, 0.6065306597126334, 0.36787944117144245, 0.006737946999085468, 2.0611536224385566e-9, 7.175095973164448e-66]],
      [2.5, [0.999997012398468, 0.9625657732472964, 0.8491450360846096, 0.07523524614651217, 1.493367900050393e-7, 1.0015302305957817e-62]],
      [10, [1.0, 0.999999999829033, 0.9999998885745217, 0.9681719426937951, 0.0049954123083075785, 8.082849629775851e-52]],
      [100, [1.0, 1.0, 1.0, 1.0, 1.0, 5.924540335483916e-6]],
    ];
    for (const [shape, qs] of table) {
      xs.forEach((x, i) => {
        const got = regularizedGammaQ(shape, x);
        expect(Math.abs(got - qs[i]!) / qs[i]!).toBeLessThan(1e-11);
      });
    }
    // scipy.stats.chi2.sf
    expect(chiSquareSurvival(3.84, 1)).toBeCloseTo(0.05004352124870519, 14);
    expect(chiSquareSurvival(200, 1) / 2.0884875837625688e-45).toBeCloseTo(1, 10);
  });

  it('tests [90, 10] against the prior [0.95, 0.05]', () => {
    // E = [95, 5]: χ² = 25/95 + 25/5 = 5.2631578947368425; scipy.stats.chisquare([90, 10], f_exp=[95, 5]).pvalue = 0.021781462791119595.
    const r = chiSquareGoodnessOfFit([90, 10], [0.95, 0.05]);
    expect(r.status).toBe('tested');
    if (r.status !== 'tested') return;
    expect(r.expected[0]).toBeCloseTo(95, 12);
    expect(r.expected[1]).toBeCloseTo(5, 12);
    expect(r.statistic).toBeCloseTo(5.2631578947368425, 12);
    expect(r.degreesOfFreedom).toBe(1);
    expect(r.pValue).toBeCloseTo(0.021781462791119595, 13);
  });

  it('tests three classes', () => {
    // scipy.stats.chisquare([500, 300, 200], f_exp=[450, 330, 220]) → 10.1010101010101, p 0.006406097226458328.
    const r = chiSquareGoodnessOfFit(Int32Array.from([500, 300, 200]), [0.45, 0.33, 0.22]);
    if (r.status !== 'tested') throw new Error('expected a test');
    expect(r.statistic).toBeCloseTo(10.1010101010101, 11);
    expect(r.degreesOfFreedom).toBe(2);
    expect(r.pValue).toBeCloseTo(0.006406097226458328, 13);
  });

  it('reports a 1-in-1,000 prior with 200 rows as insufficient, with the numbers', () => {
    const r = chiSquareGoodnessOfFit([199, 1], [0.999, 0.001], { classNames: ['negative', 'positive'] });
    expect(r.status).toBe('insufficient');
    if (r.status !== 'insufficient') return;
    expect(r.expected[1]).toBeCloseTo(0.2, 12);
    expect(r.rowsNeeded).toBe(5000);
    expect(r.reason).toBe(
      'label-prior test not run: positive expects 200 rows × prior 0.001 = 0.2 (observed 1), below the minimum expected count 5; it needs at least 5000 labelled rows',
    );
    // The rule is configurable.
    expect(chiSquareGoodnessOfFit([199, 1], [0.999, 0.001], { minExpected: 0.1 }).status).toBe('tested');
  });

  it('rejects bad counts and priors, naming the parameter', () => {
    expect(() => chiSquareGoodnessOfFit([1, 2], [0.5, 0.4])).toThrow('prior: expected proportions summing to 1, got a sum of 0.9');
    expect(() => chiSquareGoodnessOfFit([1, 2, 3], [0.5, 0.5])).toThrow('observed: expected 2 class counts (one per prior entry), got 3');
    expect(() => chiSquareGoodnessOfFit([1, 2], [1, 0])).toThrow(/^prior: expected proportions in \(0, 1\), got 1 for class 0/);
    expect(() => chiSquareGoodnessOfFit([0, 0], [0.5, 0.5])).toThrow('observed: expected at least one counted row, got 0');
    expect(() => chiSquareGoodnessOfFit([1.5, 2], [0.5, 0.5])).toThrow('observed: expected integer counts ≥ 0, got 1.5 for class 0');
    expect(() => regularizedGammaQ(0, 1)).toThrow('a: expected a finite number > 0, got 0');
  });
});

describe('Benjamini–Hochberg', () => {
  // The 15 p-values of Benjamini & Hochberg (1995), §4; scipy.stats.false_discovery_control(p) gives the q-values.
  const p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1.0];
  const q = [
    0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714285714286, 0.06385714285714286, 0.0645, 0.0765, 0.486, 0.5811818181818181,
    0.7148749999999999, 0.7532307692307693, 0.8132142857142857, 1.0,
  ];

  it('adjusts the 1995 example and rejects the first four at FDR 0.05, as the paper does', () => {
    const got = benjaminiHochberg(p);
    got.forEach((v, i) => expect(v).toBeCloseTo(q[i]!, 14));
    expect(rejectedAt(got, 0.05)).toEqual(p.map((_, i) => i < 4));
  });

  it('returns q-values in the input order and is monotone in p', () => {
    const shuffled = [3, 0, 14, 7, 1, 10];
    const got = benjaminiHochberg(shuffled.map((i) => p[i]!));
    // A subset has its own m = 6: q for p = 0.0001 is 6·0.0001/1 = 0.0006, …
    expect(got[1]).toBeCloseTo(0.0006, 15);
    expect(got[4]).toBeCloseTo((6 * 0.0004) / 2, 15);
    expect(got[2]).toBe(1);
    const order = [1, 4, 0, 3, 5, 2];
    for (let k = 1; k < order.length; k++) expect(got[order[k]!]!).toBeGreaterThanOrEqual(got[order[k - 1]!]!);
    expect(benjaminiHochberg([])).toEqual([]);
  });

  it('rejects p-values outside [0, 1] and a bad fdr', () => {
    expect(() => benjaminiHochberg([0.1, NaN])).toThrow('pValues: expected probabilities in [0, 1], got NaN at index 1');
    expect(() => rejectedAt([0.1], 0)).toThrow('fdr: expected a rate in (0, 1), got 0');
  });
});
