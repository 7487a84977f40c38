// The pipeline's one-hot naming: features per category, their SMOTE-NC groups, the raw column of each feature,
// and the model file's input columns (categorical with categories, booleans marked).

import { describe, expect, it } from 'vitest';
import {
  oneHotCategoryOf,
  oneHotFeatureNames,
  oneHotGroups,
  pipelineInputColumns,
  sourceColumnsOf,
} from '../../core/features/oneHotFeatures.js';

const categorical = { channel: ['app', 'web'] };

describe('one-hot features', () => {
  it('names a feature per category in column order, and groups them', () => {
    const names = oneHotFeatureNames(['amount', 'channel', 'verified'], categorical);
    expect(names).toEqual(['amount', 'channel=app', 'channel=web', 'verified']);
    expect(oneHotGroups(names, categorical)).toEqual([[1, 2]]);
  });

  it('maps features back to their columns; a numeric column whose name holds "=" stays itself', () => {
    expect(sourceColumnsOf(['a=b', 'channel=app', 'channel=web'], categorical)).toEqual(['a=b', 'channel', 'channel']);
    expect(oneHotCategoryOf('channel=web', categorical)).toEqual({ column: 'channel', category: 'web' });
    expect(oneHotCategoryOf('channel=kiosk', categorical)).toBeUndefined();
  });

  it('gives the model file its input columns', () => {
    expect(pipelineInputColumns(['amount', 'channel=app', 'channel=web', 'verified'], categorical, ['verified'])).toEqual([
      { name: 'amount', kind: 'numeric' },
      { name: 'channel', kind: 'categorical', categories: ['app', 'web'] },
      { name: 'verified', kind: 'numeric', boolean: true },
    ]);
  });
});
