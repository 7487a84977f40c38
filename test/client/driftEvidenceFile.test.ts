// The numbers of a `drift --evidence` file: top-level numbers and the "metrics" object; a value under "metrics" that
// is not a number, or a number too large for a double, is refused instead of dropped without a word.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEvidenceFile } from '../../client/driftEvidenceFile.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-evidence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('drift --evidence files', () => {
  it('reads top-level numbers and the metrics object, leaving top-level text (metadata) alone', () => {
    const path = file('ok.json', '{"psi": 0.31, "source": "dashboard", "metrics": {"recall": 0.4}}');
    expect(readEvidenceFile(path)).toEqual({ psi: 0.31, recall: 0.4 });
  });

  it('refuses a metric that is not a number, a number too large for a double, and metrics that are not an object', () => {
    const word = file('word.json', '{"metrics": {"psi": "high"}}');
    expect(() => readEvidenceFile(word)).toThrow(`--evidence ${word}: metrics.psi must be a number, got "high"`);
    const huge = file('huge.json', '{"psi": 1e400}');
    expect(() => readEvidenceFile(huge)).toThrow(`--evidence ${huge}: psi is too large to be a number here; expected a finite number`);
    const list = file('list.json', '{"metrics": [0.4]}');
    expect(() => readEvidenceFile(list)).toThrow(`--evidence ${list}: metrics must be an object of numbers, got [0.4]`);
  });
});
