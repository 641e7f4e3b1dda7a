import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { coalesceWrites } from '../../src/adapters/coalesce-writes.js';

/** A stream that records each batch it is handed to write (what would become one write(2)). */
function recorder(): { stream: Writable; batches: string[][] } {
  const batches: string[][] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      batches.push([chunk.toString()]);
      done();
    },
    writev(chunks, done) {
      batches.push(chunks.map((c) => (c.chunk as Buffer).toString()));
      done();
    },
  });
  return { stream, batches };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesceWrites', () => {
  it('sends the writes of one turn as one batch, in order', async () => {
    const { stream, batches } = recorder();
    const out = coalesceWrites(stream);
    out.write('a\n');
    out.write('b\n');
    await Promise.resolve();
    out.write('c\n');
    await nextTurn();
    assert.deepEqual(batches, [['a\n', 'b\n', 'c\n']]);
  });

  it('does not hold a write past its turn: writes of later turns go out on their own', async () => {
    const { stream, batches } = recorder();
    const out = coalesceWrites(stream);
    out.write('first\n');
    await nextTurn();
    assert.deepEqual(batches, [['first\n']]);
    out.write('second\n');
    await nextTurn();
    assert.deepEqual(batches, [['first\n'], ['second\n']]);
  });
});
