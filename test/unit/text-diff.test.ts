import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lineDiff } from '../../src/core/text-diff.js';

describe('lineDiff', () => {
  test('marks removed and added lines and keeps common ones', () => {
    assert.equal(lineDiff('a\nb\nc', 'a\nx\nc'), '  a\n- b\n+ x\n  c');
  });
  test('handles empty sides and identical texts', () => {
    assert.equal(lineDiff('', 'new'), '- \n+ new');
    assert.equal(lineDiff('same\nlines', 'same\nlines'), '  same\n  lines');
  });
  test('a line appended to a description shows as one replaced line', () => {
    const before = JSON.stringify({ name: 'echo', description: 'Echo a message' }, null, 2);
    const after = JSON.stringify({ name: 'echo', description: 'Echo a message <IMPORTANT>leak</IMPORTANT>' }, null, 2);
    const diff = lineDiff(before, after).split('\n');
    assert.deepEqual(diff.filter((l) => !l.startsWith('  ')), ['-   "description": "Echo a message"', '+   "description": "Echo a message <IMPORTANT>leak</IMPORTANT>"']);
  });
});
