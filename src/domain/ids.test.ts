import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isUuid, newId } from './ids.ts';

test('ids are RFC 9562 version-7 UUIDs carrying their creation millisecond', () => {
  const id = newId(() => 1_795_000_000_123);
  assert.ok(isUuid(id));
  assert.equal(id[14], '7', 'version nibble');
  assert.match(id[19], /[89ab]/, 'variant bits');
  assert.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), 1_795_000_000_123);
});

test('ids made in the same millisecond sort in creation order, even past 4096 of them', () => {
  const now = () => 1_900_000_000_000;
  const ids = Array.from({ length: 5000 }, () => newId(now));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
});

test('a clock that steps back never produces a smaller id', () => {
  const later = newId(() => 2_000_000_000_000);
  const earlier = newId(() => 1_000_000_000_000);
  assert.ok(earlier > later);
});
