import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSegments, parsePath } from '../../src/core/conditions/index.js';
import { compilePath, MISSING, resolvePath, type PathSegment } from '../../src/core/conditions/path.js';

function segs(text: string): readonly PathSegment[] {
  const parsed = parsePath(text);
  if (!parsed.ok) return assert.fail(`expected "${text}" to parse, got: ${parsed.message}`);
  return parsed.segments;
}

function bad(text: string): string {
  const parsed = parsePath(text);
  if (parsed.ok) return assert.fail(`expected "${text}" to be rejected, got ${JSON.stringify(parsed.segments)}`);
  assert.ok(parsed.message.length > 0);
  return parsed.message;
}

function at(root: unknown, text: string): unknown {
  return resolvePath(root, compilePath(segs(text)));
}

describe('parsePath', () => {
  test('dotted names, array indexes and quoted keys', () => {
    assert.deepEqual(segs('amount'), ['amount']);
    assert.deepEqual(segs('items[0].price'), ['items', 0, 'price']);
    assert.deepEqual(segs('metadata["x-y"]'), ['metadata', 'x-y']);
    assert.deepEqual(segs("metadata['it\\'s']"), ['metadata', "it's"]);
    assert.deepEqual(segs('a["with \\"quote\\" and . [ ]"].b'), ['a', 'with "quote" and . [ ]', 'b']);
    assert.deepEqual(segs('[3]'), [3]);
    assert.deepEqual(segs('["top"]'), ['top']);
    assert.deepEqual(segs('m[1][2]'), ['m', 1, 2]);
    assert.deepEqual(segs('x-y.z_1.$v'), ['x-y', 'z_1', '$v']);
    assert.deepEqual(segs('items.0'), ['items', '0']);
    assert.deepEqual(segs('prix.montant_€'.replace('€', 'é')), ['prix', 'montant_é']);
  });

  test('a leading args segment names the arguments object (PolicyLayer writes args.reason)', () => {
    assert.deepEqual(segs('args.reason'), ['reason']);
    assert.deepEqual(segs('args[0]'), [0]);
    assert.deepEqual(segs('args'), []);
    assert.deepEqual(segs('args.args'), ['args']);
    assert.deepEqual(segs('["args"]'), ['args'], 'a quoted "args" is an argument called args');
    assert.deepEqual(segs('arguments'), ['arguments']);
    assert.deepEqual(segs('a.args'), ['a', 'args']);
  });

  test('bad syntax is rejected with a message', () => {
    for (const text of ['', 'a..b', '.a', 'a.', 'a[', 'a[x]', 'a[-1]', 'a[01]', 'a[ 0 ]', 'a b', 'a[0]b', 'a.[0]', 'a["x"', 'a["x"y]', 'a["\\q"]', "a['x", 'a]', 'a[99999999999]']) {
      bad(text);
    }
    assert.match(bad('a..b'), /character 3/);
    assert.match(bad('x'.repeat(600)), /at most 512/);
    assert.match(bad(Array.from({ length: 40 }, () => 'a').join('.')), /at most 32 segments/);
  });

  test('formatSegments renders a readable path', () => {
    assert.equal(formatSegments(segs('args.items[0].price')), 'items[0].price');
    assert.equal(formatSegments(segs('metadata["x-y"]')), 'metadata["x-y"]');
    assert.equal(formatSegments(segs('args')), 'args');
    assert.equal(formatSegments(segs('args.args.x')), 'args.args.x');
    assert.equal(formatSegments(segs('a.args')), 'a.args');
  });
});

describe('resolvePath', () => {
  const doc = { amount: 5, items: [{ price: 7 }, { price: 9 }], metadata: { 'x-y': 'z', '0': 'zero' }, nil: null, deep: { a: { b: { c: true } } } };

  test('nested paths, indexes and quoted keys', () => {
    assert.equal(at(doc, 'amount'), 5);
    assert.equal(at(doc, 'args.items[1].price'), 9);
    assert.equal(at(doc, 'items.1.price'), 9, '.1 addresses an array element too');
    assert.equal(at(doc, 'metadata["x-y"]'), 'z');
    assert.equal(at(doc, 'metadata[0]'), 'zero', '[0] on an object is the key "0"');
    assert.equal(at(doc, 'deep.a.b.c'), true);
    assert.equal(at(doc, 'nil'), null);
    assert.equal(at(doc, 'args'), doc);
  });

  test('missing paths resolve to MISSING', () => {
    for (const p of ['nope', 'items[2]', 'items[0].cost', 'amount.x', 'nil.x', 'items.length', 'items["x"]', 'deep.a.b.c.d']) {
      assert.equal(at(doc, p), MISSING, p);
    }
    assert.equal(at(null, 'a'), MISSING);
    assert.equal(at('str', 'length'), MISSING);
    assert.equal(at(undefined, 'args'), MISSING);
    assert.equal(at({ u: undefined }, 'u'), MISSING);
  });

  test('inherited properties are never reached', () => {
    for (const p of ['constructor', '__proto__', 'toString', 'hasOwnProperty', '["__proto__"]', 'constructor.prototype']) {
      assert.equal(at({}, p), MISSING, p);
    }
    const own = JSON.parse('{"__proto__": {"admin": true}, "constructor": 1}') as unknown;
    assert.deepEqual(at(own, '["__proto__"].admin'), true, 'an own __proto__ key from JSON is an ordinary argument');
    assert.equal(at(own, 'constructor'), 1);
    assert.equal(at(Object.create(null) as unknown, 'x'), MISSING);
  });
});
