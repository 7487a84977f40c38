// A gate's class written as the label code "1"/"0" must not judge another class than the one it spells.

import { describe, expect, it } from 'vitest';
import { checkGateClassCodes } from '../../core/gates/gateClassCodes.js';

const gates = (cls: unknown) => ({
  gates: [
    { metric: 'gMean', min: 0.5 },
    { metric: 'recall', class: cls, min: 0.5 },
  ],
});

describe('gate class codes', () => {
  it('takes "1"/"0" as the positive/negative class where the label agrees or has other values', () => {
    for (const cls of ['1', 1, '0', 0, 'positive', 'negative']) {
      expect(() => checkGateClassCodes(gates(cls), { positive: 'fraud', negative: 'ok' }, 'g.json')).not.toThrow();
      expect(() => checkGateClassCodes(gates(cls), { positive: '1', negative: '0' }, 'g.json')).not.toThrow();
      expect(() => checkGateClassCodes(gates(cls), { positive: 'true', negative: 'false' }, 'g.json')).not.toThrow();
    }
  });

  it('refuses "1"/"0" where the label\'s values are 0 and 1 the other way round', () => {
    expect(() => checkGateClassCodes(gates('1'), { positive: '0', negative: '1' }, 'g.json')).toThrow(
      'g.json: gates[1].class: "1" is read as the positive class, which is "0" here, while the label\'s value "1" is on the negative side: write "positive" or "negative" instead of "1"',
    );
    expect(() => checkGateClassCodes(gates(0), { positive: '0.0', negative: '1.0' }, 'g.json')).toThrow(
      'g.json: gates[1].class: 0 is read as the negative class, which is "1.0" here, while the label\'s value "0.0" is the positive class',
    );
    expect(() => checkGateClassCodes(gates('1'), { positive: 'False', negative: 'True' }, 'g.json')).toThrow(
      /"True" is on the negative side/,
    );
    // A label of 0/1/2 with 2 chosen: the negative side is "0|1", and "1" there is not the positive 2.
    expect(() => checkGateClassCodes(gates('1'), { positive: '2', negative: '0|1' }, 'g.json')).toThrow(
      'g.json: gates[1].class: "1" is read as the positive class, which is "2" here, while the label\'s value "1" is on the negative side',
    );
    expect(() => checkGateClassCodes(gates('0'), { positive: '2', negative: '0|1' }, 'g.json')).not.toThrow();
    expect(() => checkGateClassCodes(gates('positive'), { positive: '0', negative: '1' }, 'g.json')).not.toThrow();
  });

  it('refuses "1"/"0" on a multi-class label that has such a class, and not on one that has none', () => {
    expect(() => checkGateClassCodes(gates('1'), { classes: ['1', '2', '3'] }, 'g.json')).toThrow(
      'g.json: gates[1].class: "1" is read as the positive class, not as the class "1" of this multi-class label: a multi-class model\'s per-class gates apply to every class; write "positive" to judge every class',
    );
    expect(() => checkGateClassCodes(gates('1'), { classes: ['bird', 'cat', 'eel'] }, 'g.json')).not.toThrow();
    expect(() => checkGateClassCodes(gates('positive'), { classes: ['1', '2', '3'] }, 'g.json')).not.toThrow();
  });
});
