// fit's stages without --json: a line per stage (name, figures, seconds last) and its note on the line under it.

import { describe, expect, it } from 'vitest';
import { stagesText } from '../../client/stagesText.js';

describe('stagesText', () => {
  it('puts each stage on a line of its own, its note under it', () => {
    const text = stagesText([
      { stage: 'read', rowsIn: 10, rowsOut: 9, categorical: ['color'], seconds: 0.15 },
      { stage: 'train', rows: 9, outOfBag: { gMean: 1 }, note: 'forest (100 trees)', seconds: 0.5 },
    ]);
    expect(text.split('\n')).toEqual([
      '  - read: rowsIn 10, rowsOut 9, categorical ["color"], 0.15 s',
      '  - train: rows 9, outOfBag {"gMean":1}, 0.5 s',
      '      forest (100 trees)',
    ]);
  });

  it('prints anything but a list of stages as one line of JSON', () => {
    expect(stagesText({ stage: 'read' })).toBe('  {"stage":"read"}');
    expect(stagesText([{ rows: 3 }])).toBe('  [{"rows":3}]');
  });
});
