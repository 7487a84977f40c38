// fit trains on --input and --label: a config's input block that says otherwise is said in a warning, and a
// predicate defining the positives, which fit cannot apply, is refused. A pipeline spec's keys that only a run reads
// are named in warnings too.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkConfigInput } from '../../client/fitConfigInput.js';
import { resolveFitSpec } from '../../client/fitSpec.js';
import { InvalidInputError } from '../../core/invalidInputError.js';
import { runCli } from '../support/cliProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-fit-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const flags = { input: 'cards.csv', label: 'fraud', positive: 'yes' };

describe("fit's config input block", () => {
  it('says which of its data keys fit does not read', () => {
    expect(checkConfigInput({ input: { paths: ['x-*.csv'], label: 'is_fraud', positive: 'Y' } }, flags)).toEqual([
      'input.paths of the config is not read by fit: it trains on --input cards.csv',
      'input.label of the config ("is_fraud") is not read by fit: it trains on --label fraud',
      'input.positive of the config ("Y") is overridden by --positive yes',
    ]);
    expect(checkConfigInput({ input: { label: 'fraud', positive: 'yes', exclude: ['id'] } }, flags)).toEqual([]);
    expect(checkConfigInput({ input: { positive: 'Y' } }, { input: 'cards.csv', label: 'fraud' })).toEqual([]);
  });

  it('says that "prevalence" does not fix the rule under auto, and that --missing replaces the config\'s policy', () => {
    const config = join(dir, 'rule.json');
    writeFileSync(config, JSON.stringify({ model: { threshold: 'prevalence' }, features: { missing: 'constant', fillValue: -99 } }));
    const { configWarnings, args } = resolveFitSpec(
      { input: 'd.csv', label: 'y', config, missing: 'median', out: join(dir, 'm.json') },
      join(dir, 'm.json'),
    );
    expect(args.missing).toBe('median');
    expect(configWarnings).toEqual([
      `${config}: model.threshold "prevalence" does not fix the rule under model kind "auto": the rule is chosen with the model (the threshold at the positive share or the G-mean-optimal one, on the inner folds); name a model kind (model.kind or --kind) to fix it`,
      `--missing median replaces ${config}: features.missing "constant"`,
    ]);
    // A named kind keeps the rule, and the same policy given twice is no news.
    writeFileSync(config, JSON.stringify({ model: { kind: 'forest', threshold: 'prevalence' }, features: { missing: 'median' } }));
    expect(
      resolveFitSpec({ input: 'd.csv', label: 'y', config, missing: 'median', out: join(dir, 'm.json') }, join(dir, 'm.json'))
        .configWarnings,
    ).toEqual([]);
  });

  it("takes --fill-value as the fill of a config's constant policy, and refuses it beside another", () => {
    const config = join(dir, 'constant.json');
    writeFileSync(config, JSON.stringify({ features: { missing: 'constant', fillValue: -99 } }));
    const out = join(dir, 'm.json');
    // Before, refused as if no constant policy were in force.
    expect(resolveFitSpec({ input: 'd.csv', label: 'y', config, fillValue: 5, out }, out).args).toMatchObject({
      missing: 'constant',
      fillValue: 5,
    });
    expect(resolveFitSpec({ input: 'd.csv', label: 'y', config, out }, out).args).toMatchObject({ missing: 'constant', fillValue: -99 });
    writeFileSync(config, JSON.stringify({ features: { missing: 'median' } }));
    expect(() => resolveFitSpec({ input: 'd.csv', label: 'y', config, fillValue: 5, out }, out)).toThrow(
      `--fill-value is the fill of the constant policy, but ${config}: features.missing is "median", which computes its own fill; drop --fill-value, or pass --missing constant`,
    );
    expect(() => resolveFitSpec({ input: 'd.csv', label: 'y', config, missing: 'mean', fillValue: 5, out }, out)).toThrow(
      /^--fill-value is the fill of --missing constant/,
    );
  });

  it('refuses a predicate for the positives', () => {
    expect(() => checkConfigInput({ input: { positiveWhen: 'amount > 100' } }, flags)).toThrow(InvalidInputError);
    expect(() => checkConfigInput({ input: { positiveWhen: 'amount > 100' } }, flags)).toThrow(
      /^input\.positiveWhen: fit takes the positive class/,
    );
  });

  it('names each key only a pipeline run reads, and a seed --seed overrides', () => {
    const config = { modelName: 'm', input: { label: 'fraud' }, sampling: { targetSize: 1000 }, gates: { gates: [] }, canary: {}, seed: 7 };
    expect(checkConfigInput(config, { ...flags, seed: 3 })).toEqual([
      'sampling of the config is not read by fit (it belongs to a pipeline run: rareflow run)',
      'gates of the config is not read by fit (it belongs to a pipeline run: rareflow run)',
      'canary of the config is not read by fit (it belongs to a pipeline run: rareflow run)',
      'seed of the config (7) is overridden by --seed 3',
    ]);
    expect(checkConfigInput({ seed: 3 }, { ...flags, seed: 3 })).toEqual([]);
  });

  it('names input.positive of the config, not a --positive that was not given, when the label lacks it', async () => {
    const data = join(dir, 'd.csv');
    writeFileSync(data, ['a,label', ...Array.from({ length: 40 }, (_, i) => `${i},${i % 5 === 0 ? 'fraud' : 'ok'}`), ''].join('\n'));
    const config = join(dir, 'c.json');
    writeFileSync(config, JSON.stringify({ modelName: 'm', input: { paths: ['x.csv'], label: 'label', positive: 'yes' } }));
    const r = await runCli(
      ['fit', '--input', data, '--label', 'label', '--config', config, '--kind', 'logreg', '--out', join(dir, 'm.json')],
      {
        cwd: dir,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^rareflow fit: .*c\.json: input\.positive "yes" is not a value of label column "label"/);
  });
});
