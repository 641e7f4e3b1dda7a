import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decisionFromAnswer } from '../../src/proxy/ask-client.js';

describe('decisionFromAnswer: only an explicit approve: true approves', () => {
  test('accept with approve: true approves, keeping a note', () => {
    assert.deepEqual(decisionFromAnswer({ action: 'accept', content: { approve: true, note: 'ok' } }, 'ci'), { approve: true, by: 'client:ci', note: 'ok' });
    assert.deepEqual(decisionFromAnswer({ action: 'accept', content: { approve: true, note: '' } }, 'ci'), { approve: true, by: 'client:ci' });
  });

  test('decline, cancel and approve: false deny', () => {
    assert.deepEqual(decisionFromAnswer({ action: 'decline' }, 'ci'), { approve: false, by: 'client:ci', note: 'the user declined' });
    assert.deepEqual(decisionFromAnswer({ action: 'cancel' }, 'ci'), { approve: false, by: 'client:ci', note: 'the user dismissed the request' });
    assert.deepEqual(decisionFromAnswer({ action: 'accept', content: { approve: false } }, 'ci'), { approve: false, by: 'client:ci' });
  });

  test('an accepted form without a boolean approve denies (fail closed)', () => {
    for (const content of [undefined, {}, { approve: 'true' }, { approve: 1 }]) {
      const decision = decisionFromAnswer({ action: 'accept', ...(content ? { content } : {}) } as Parameters<typeof decisionFromAnswer>[0], 'ci');
      assert.equal(decision.approve, false, JSON.stringify(content));
      assert.match(decision.note ?? '', /did not say approve: true or false/);
    }
  });

  test('a note that is not a string is dropped, a long one is cut', () => {
    assert.deepEqual(decisionFromAnswer({ action: 'accept', content: { approve: true, note: 5 } }, 'ci'), { approve: true, by: 'client:ci' });
    assert.equal(decisionFromAnswer({ action: 'accept', content: { approve: true, note: 'x'.repeat(5000) } }, 'ci').note?.length, 2000);
  });
});
