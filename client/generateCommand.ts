// `rareflow generate`: a synthetic labelled dataset (rows, positive rate, features, categories, label noise and
// drift) written as Parquet, for the demo, benchmarks and trials.

import { requireOutputDirectory } from './localFiles.js';

export interface GenerateArgs {
  rows: number;
  positiveRate: number;
  features: number;
  categorical: number;
  noise: number;
  drift: number;
  seed: number;
  out: string;
}

export async function generateCommand(a: GenerateArgs) {
  const out = await requireOutputDirectory(a.out);
  const { generateSyntheticDataset } = await import('../data/syntheticData.js');
  const r = await generateSyntheticDataset({
    rows: a.rows,
    positiveRate: a.positiveRate,
    features: a.features,
    categorical: a.categorical,
    labelNoise: a.noise,
    drift: a.drift,
    seed: a.seed,
    out,
  });
  const warnings: string[] = [];
  // Drift raises the prior by (1 + |drift|), up to 1/2 (data/syntheticData.ts).
  const drifted = a.positiveRate * (1 + Math.abs(a.drift));
  if (a.drift !== 0 && drifted > 0.5) {
    warnings.push(
      `--drift ${a.drift} raises the positive rate to ${a.positiveRate} × (1 + ${Math.abs(a.drift)}) = ${Number(drifted.toPrecision(4))}, capped at 0.5: the file's positive rate is about 0.5`,
    );
  }
  if (r.positives === 0 || r.positives === r.rows) {
    warnings.push(
      `the file holds ${r.positives === 0 ? 'no positives' : 'no negatives'} (${r.rows} rows at a positive rate of ${a.positiveRate}): nothing can be learnt from one class; raise --rows${r.positives === 0 ? ' or --positive-rate' : ''}`,
    );
  }
  return {
    command: 'generate',
    out,
    rows: r.rows,
    positives: r.positives,
    label: 'label',
    ...(warnings.length ? { warnings } : {}),
    seconds: r.seconds,
    seed: a.seed,
  };
}
