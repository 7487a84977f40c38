// The run report keeps what each stage did in its own words (ADASYN's k lowered for a minority of two rows, say):
// before, the stage notes reached only `run --wait`'s output, and the stored report, its page and the registry's
// run record kept the k the spec asked for.

import { describe, expect, it } from 'vitest';
import type { LabelledData } from '../../core/dataset.js';
import { parseGateSpec } from '../../core/gates/gateSpec.js';
import { validateStage } from '../../stages/validate.js';
import { oneFeatureLogisticModel } from '../support/modelFileFixtures.js';

const model = oneFeatureLogisticModel('notes');

describe('the run report', () => {
  it("keeps each stage's note in the report and on its page", () => {
    const y = Uint8Array.from({ length: 200 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const test = { x: { rows: 200, cols: 1, values: Float64Array.from(y, (v, i) => v * 2 + (i % 7) / 10) }, y } as LabelledData;
    const note = 'k=1 (lowered from 50: only 2 minority rows), beta=1, exact neighbours on standardised features';
    const r = validateStage({
      model,
      modelSha256: 'a'.repeat(64),
      test,
      testSha256: 'b'.repeat(64),
      gates: parseGateSpec({ gates: [{ metric: 'recall', class: 'positive', min: 0.5 }] }, 'gates'),
      stages: [
        { stage: 'sample', rowsIn: 1000, rowsOut: 500, positivesIn: 4, positivesOut: 4, seconds: 1 },
        { stage: 'adasyn', rowsIn: 400, rowsOut: 790, positivesIn: 2, positivesOut: 392, seconds: 1, note },
      ],
    });
    expect((r.report as { stages?: unknown }).stages).toEqual([{ stage: 'adasyn', note }]);
    expect(r.html).toContain('lowered from 50: only 2 minority rows');
  });
});
