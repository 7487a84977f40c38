// A positiveWhen predicate that reads a feature column defines the class from the model's own input: before, the
// retrain learnt the rule, passed its gates with recall 1.0 and was promoted without a word. The describe stage now
// refuses it by the spec key, naming the column, before any sampling.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeStage } from '../../stages/describe.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-predicate-features-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a positiveWhen predicate over a feature column', () => {
  it('is refused naming the column, and runs once the column is excluded', async () => {
    const path = join(dir, 'rows.csv');
    const lines = ['Amount,tenure,channel,outcome'];
    for (let i = 0; i < 600; i++) lines.push(`${(i * 37) % 101},${i % 29},${['web', 'app'][i % 2]},${(i * 13) % 97}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const run = (positiveWhen: string, extra: Record<string, unknown> = {}) =>
      describeStage({
        input: { paths: [path], label: 'is_big', positiveWhen, categorical: ['channel'], ...extra },
        sampling: { targetSize: 500, params: 2 },
      });
    // Read without regard to case, as DuckDB reads names; a categorical column counts as its one-hot features.
    await expect(run("amount > 90 AND channel = 'web'")).rejects.toThrow(
      `input.positiveWhen "amount > 90 AND channel = 'web'" reads "Amount", "channel", which are also features: the model would learn the rule that defines the class from them and pass its gates without predicting anything; list them under input.exclude`,
    );
    // A column that is not a feature (the outcome, excluded) may define the class.
    const described = await run('outcome > 90', { exclude: ['outcome'] });
    expect(described.featureNames).toEqual(['Amount', 'tenure', 'channel=app', 'channel=web']);
    expect(described.predicateColumns).toEqual(['outcome']);
  });
});
