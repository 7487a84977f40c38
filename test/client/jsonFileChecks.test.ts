// A key written twice in one object of a file people write: found with where it is, so the file is refused instead of
// read with the first value dropped; a spec file that is not UTF-8 is refused, one with a byte-order mark read.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPipelineConfigJson } from '../../client/pipelineSpec.js';
import { duplicateKeyText, firstDuplicateJsonKey } from '../../core/spec/duplicateJsonKeys.js';

const dir = mkdtempSync(join(tmpdir(), 'rareflow-duplicate-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('firstDuplicateJsonKey', () => {
  it('finds a key written twice in one object, with its place, at any depth and inside lists', () => {
    expect(firstDuplicateJsonKey('{"a": 1, "b": {"c": 2}, "d": [{"e": 1}, {"e": 2}]}')).toBeUndefined();
    const top = firstDuplicateJsonKey('{"model": {"kind": "logreg"},\n "seed": 1,\n "model": {"kind": "forest"}}');
    expect(top).toEqual({ key: 'model', path: [], line: 3, column: 2 });
    const nested = firstDuplicateJsonKey('{"gates": [{"metric": "recall"}, {"metric": "recall", "min": 0.5, "min": 0.7}]}');
    expect(nested).toMatchObject({ key: 'min', path: ['gates', 1] });
    expect(duplicateKeyText(nested!)).toBe(
      'key "min" appears twice in "gates[1]" (line 1, column 67); JSON keeps only the last, so remove or rename one',
    );
    // The same key in two different objects is no duplicate.
    expect(firstDuplicateJsonKey('{"a": {"x": 1}, "b": {"x": 1}}')).toBeUndefined();
  });
});

describe('reading a pipeline spec file', () => {
  it('refuses a key written twice, naming the file, the key and the line', () => {
    const path = join(dir, 'pipeline.json');
    writeFileSync(
      path,
      '{\n  "modelName": "m",\n  "sampling": {"targetSize": 4000, "targetSize": 8000},\n  "input": {"paths": ["x.csv"], "label": "y"}\n}\n',
    );
    expect(() => readPipelineConfigJson(path)).toThrow(
      `--config ${path}: key "targetSize" appears twice in "sampling" (line 3, column 36); JSON keeps only the last`,
    );
  });

  it('a pipeline spec file that starts with a byte-order mark is read as JSON', () => {
    const path = join(dir, 'bom.json');
    writeFileSync(path, '\uFEFF{"modelName": "m", "input": {"paths": ["x.csv"], "label": "y"}}');
    expect(readPipelineConfigJson(path)).toMatchObject({ modelName: 'm' });
  });

  it('a pipeline spec file that is not UTF-8 is refused, naming the byte', () => {
    const path = join(dir, 'latin1.json');
    writeFileSync(
      path,
      Buffer.concat([Buffer.from('{"modelName": "m", "input": {"label": "caf'), Buffer.from([0xe9]), Buffer.from('"}}')]),
    );
    expect(() => readPipelineConfigJson(path)).toThrow(`--config ${path}: is not UTF-8 text (byte 43 is 0xe9); save it as UTF-8`);
  });
});

describe('a JSON file nested thousands deep', () => {
  it('is refused by its depth, naming the file, instead of exhausting the stack', () => {
    const path = join(dir, 'deep.json');
    writeFileSync(path, `{"modelName": "m", "input": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
    expect(() => readPipelineConfigJson(path)).toThrow(
      `--config ${path}: nests objects and arrays 10001 deep; a spec, gate or evidence file nests at most 64 deep`,
    );
    // Brackets inside strings do not count.
    const shallow = join(dir, 'brackets.json');
    writeFileSync(shallow, `{"modelName": "[[[[${'{'.repeat(100)}", "input": {"paths": ["x.csv"], "label": "y"}}`);
    expect(() => readPipelineConfigJson(shallow)).not.toThrow();
  });
});
