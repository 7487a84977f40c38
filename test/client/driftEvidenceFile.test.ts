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

  it('refuses one name given at the top level and under metrics, and a null metric, instead of keeping one silently', () => {
    const twice = file('twice.json', '{"psi": 0.3, "metrics": {"psi": 0.5}}');
    expect(() => readEvidenceFile(twice)).toThrow(
      `--evidence ${twice}: psi is given both at the top level (0.3) and under "metrics" (0.5); keep one`,
    );
    const empty = file('null.json', '{"metrics": {"recall": null}}');
    expect(() => readEvidenceFile(empty)).toThrow(`--evidence ${empty}: metrics.recall must be a number, got null`);
    // Names every object has (constructor, valueOf) are names like any other.
    expect(readEvidenceFile(file('own.json', '{"metrics": {"constructor": 0.5, "valueOf": 1}}'))).toEqual({ constructor: 0.5, valueOf: 1 });
    // A null at the top level is metadata, like text.
    expect(readEvidenceFile(file('meta.json', '{"psi": 0.3, "ticket": null}'))).toEqual({ psi: 0.3 });
  });

  it('reads a file with a byte-order mark, and refuses one that is not UTF-8 by its byte', () => {
    const bom = file('bom.json', '\uFEFF{"psi": 0.31}');
    expect(readEvidenceFile(bom)).toEqual({ psi: 0.31 });
    const latin1 = join(dir, 'latin1.json');
    writeFileSync(latin1, Buffer.concat([Buffer.from('{"caf'), Buffer.from([0xe9]), Buffer.from('": 0.31}')]));
    expect(() => readEvidenceFile(latin1)).toThrow(`--evidence ${latin1}: is not UTF-8 text (byte 6 is 0xe9); save it as UTF-8`);
  });
});
