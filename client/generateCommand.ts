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
  return { command: 'generate', out, rows: r.rows, positives: r.positives, label: 'label', seconds: r.seconds, seed: a.seed };
}
