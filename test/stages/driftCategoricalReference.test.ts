// The drift reference's categorical columns come back from the model's one-hot features (`name=category`), so the
// monitor compares the strings the service logs with the categories the model was trained on.

import { describe, expect, it } from 'vitest';
import { categoricalTrainingColumns } from '../../stages/driftReferenceStage.js';
import { OTHER_CATEGORY_BIN } from '../../core/drift/categoricalDrift.js';
import type { ModelArtifact } from '../../core/models/modelArtifact.js';

describe('categorical columns of the drift reference', () => {
  it('reads each row’s category from its one-hot features, and the other bin for a row that sets none', () => {
    const model = {
      featureNames: ['amount', 'channel=web', 'channel=app'],
      inputColumns: [
        { name: 'amount', kind: 'numeric' },
        { name: 'channel', kind: 'categorical', categories: ['web', 'app'] },
      ],
    } as unknown as ModelArtifact;
    const x = { rows: 3, cols: 3, values: Float64Array.from([1.5, 1, 0, 2.5, 0, 1, 3.5, 0, 0]) };
    expect(categoricalTrainingColumns(model, x)).toEqual({ names: ['channel'], values: [['web', 'app', OTHER_CATEGORY_BIN]] });
    expect(categoricalTrainingColumns({ ...model, inputColumns: undefined }, x)).toEqual({ names: [], values: [] });
  });
});
