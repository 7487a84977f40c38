// What the describe stage tells a retrain's sampling note: a yes/no label whose rarer value "no" was taken as the
// positive class (the spec named none), and the columns it leaves out; and a gate whose class code "1" would judge
// the other class, refused before any sampling.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePipelineSpec } from '../../client/pipelineSpec.js';
import { describeStage } from '../../stages/describe.js';

let dir: string;
let path: string;

/** 400 rows, 40 of them "no" (the rarer value), and a `_note` column. */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rareflow-describe-'));
  path = join(dir, 'renewed.csv');
  const lines = ['tenure,spend,_note,renewed'];
  for (let i = 0; i < 400; i++) lines.push(`${i % 37},${(i * 7) % 101},x,${i % 10 === 0 ? 'no' : 'yes'}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'codes.csv'), `${lines.join('\n').replace(/,no$/gm, ',0').replace(/,yes$/gm, ',1')}\n`);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const run = (input: { positive?: string; positiveWhen?: string }) =>
  describeStage({ input: { paths: [path], label: 'renewed', ...input }, sampling: {} });

describe('describe stage warnings', () => {
  it('says when the rarer value "no" became the positive class, naming the spec key to change it', async () => {
    const described = await run({});
    expect(described.positiveLabel).toBe('no');
    expect(described.warnings).toContain(
      'the positive class is "no", the rarer value of the label: scores are the probability of "no" and pred names "no" as the positive; if you meant "yes", set "positive": "yes" in the spec\'s input block',
    );
    // The `_` column is left out, and said so.
    expect(described.featureNames).toEqual(['tenure', 'spend']);
    expect(described.warnings.some((w) => w.startsWith('ignored columns _note:'))).toBe(true);
  });

  it('says nothing of the kind when the spec named the positive class', async () => {
    const described = await run({ positive: 'no' });
    expect(described.positiveLabel).toBe('no');
    expect(described.warnings.filter((w) => w.includes('rarer value'))).toEqual([]);
  });

  it('says when the positive class the spec named is the larger one (a label coded the other way round)', async () => {
    const described = await run({ positive: 'yes' });
    expect(described.warnings).toContain(
      'the positive class "yes" is the larger class (360 of 400 rows): sampling, thresholds and gates treat the positive class as the rare one; if the rare class is another, set "positive": "no" in the spec\'s input block',
    );
  });
});

describe('describe stage gate checks', () => {
  it('refuses a gate on class "1" when 1 is the negative value of a 0/1 label whose 0 was named the positive', async () => {
    const gates = { gates: [{ metric: 'recall', class: '1', min: 0.5 }] };
    const codes = (positive?: string) =>
      describeStage({
        input: { paths: [join(dir, 'codes.csv')], label: 'renewed', ...(positive ? { positive } : {}) },
        sampling: {},
        gates,
      });
    await expect(codes('0')).rejects.toThrow(
      'pipeline spec "gates": gates[0].class: "1" is read as the positive class, which is "0" here, while the label\'s value "1" is on the negative side',
    );
    // With 1 as the positive class (a 0/1 label's default), "1" means what it says.
    await expect(codes()).resolves.toMatchObject({ positiveLabel: '1' });
  });

  it('refuses the same gates after the pipeline spec was resolved (as `run` sends it), on two classes and on five', async () => {
    // Before, resolving rewrote "1" as "positive": the check never saw the code, and a five-class run promoted on
    // a gate judged on every class.
    const five = join(dir, 'five.csv');
    writeFileSync(five, `${['x,label', ...Array.from({ length: 300 }, (_, i) => `${i % 13},${1 + (i % 5)}`)].join('\n')}\n`);
    const resolved = (file: string, positive?: string) =>
      resolvePipelineSpec(
        {
          modelName: 'codes',
          input: { paths: [file], label: file === five ? 'label' : 'renewed', ...(positive ? { positive } : {}) },
          gates: { gates: [{ metric: 'recall', class: '1', min: 0.5 }] },
        },
        'spec.json',
      );
    const spec = resolved(join(dir, 'codes.csv'), '0');
    expect(spec.gates.gates[0]!.class).toBe('1');
    await expect(describeStage({ input: spec.input, sampling: {}, gates: spec.gates })).rejects.toThrow(
      /gates\[0\]\.class: "1" is read as the positive class, which is "0" here/,
    );
    const multi = resolved(five);
    await expect(describeStage({ input: multi.input, sampling: {}, gates: multi.gates })).rejects.toThrow(
      /gates\[0\]\.class: "1" is read as the positive class, not as the class "1" of this multi-class label/,
    );
  });
});
