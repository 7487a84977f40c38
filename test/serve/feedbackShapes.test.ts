// A feedback body is one label ({"requestId", "label"}) or many ({"items": [...]}); both at once would drop the
// single one without a word, so it is refused.

import { describe, expect, it } from 'vitest';
import { parseFeedbackRequest } from '../../infra/feedbackRequest.js';

describe('feedback body shapes', () => {
  it('takes either shape', () => {
    expect(parseFeedbackRequest('{"requestId":"a","label":"1"}')).toMatchObject({ items: [{ requestId: 'a', label: '1' }] });
    expect(parseFeedbackRequest('{"items":[{"requestId":"a","label":"1"},{"requestId":"b","label":"0"}]}')).toMatchObject({
      items: [{ requestId: 'a' }, { requestId: 'b' }],
    });
  });

  it('refuses a label beside items', () => {
    const parsed = parseFeedbackRequest('{"requestId":"c12","label":"0","items":[{"requestId":"c13","label":"1"}]}');
    expect(parsed).toEqual({
      error:
        'request body: expected either {"requestId", "label"} or {"items": [...]}, got requestId and label beside items; put every label in items',
    });
  });
});
