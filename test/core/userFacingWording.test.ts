// Plain words in what users read: no references to papers' theorems or internal documents in message strings, the
// prevalence threshold explained in words, and ADASYN's reported distances named in the units they are in.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { featureMatrix } from '../../core/dataset.js';
import { chooseThreshold } from '../../core/models/thresholdPolicy.js';
import { oversampleWithAdasyn } from '../../stages/oversample.js';

const SOURCE_DIRS = ['client', 'infra', 'core', 'stages', 'activities', 'workflows', 'data'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('user-facing wording', () => {
  it('no code line (comments aside) cites a seed document, a theorem or the q*-rule', () => {
    const offending: string[] = [];
    for (const file of SOURCE_DIRS.flatMap(sourceFiles)) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.trim();
          if (code.startsWith('//') || code.startsWith('*') || code.startsWith('/*')) return;
          if (/seed 00\d|Theorem|q\*|\bRFQ\b/.test(code.replace(/\s\/\/.*$/, ''))) offending.push(`${file}:${i + 1}: ${code}`);
        });
    }
    expect(offending).toEqual([]);
  });

  it('the prevalence threshold is explained in words', () => {
    expect(chooseThreshold({ kind: 'prevalence' }, { prevalence: 0.05 }).reason).toBe(
      "prevalence rule: threshold 0.05, the positive share the model's probabilities are fitted to (that of its training rows)",
    );
  });

  it("ADASYN's seed-to-neighbour distances are named in raw units when neighbours were found on standardised features", () => {
    // Feature 0 in thousands, feature 1 in units: standardising changes which rows are near.
    const rows = 40;
    const values = new Float64Array(rows * 2);
    const y = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      values[i * 2] = 1000 * ((i * 7) % 13);
      values[i * 2 + 1] = (i * 5) % 11;
      y[i] = i % 5 === 0 ? 1 : 0;
    }
    const data = { x: featureMatrix(rows, 2, values), y };
    const standardised = oversampleWithAdasyn(data, { k: 3, beta: 1, seed: 1 }).note;
    expect(standardised).toMatch(/neighbours on standardised features/);
    expect(standardised).toMatch(/seed-to-neighbour distance in raw feature units min \d/);
    const raw = oversampleWithAdasyn(data, { k: 3, beta: 1, seed: 1, scaling: 'raw' }).note;
    expect(raw).toMatch(/neighbours on raw features/);
    expect(raw).toMatch(/seed-to-neighbour distance min \d/);
  });
});
