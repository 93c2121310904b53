import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TickBatch } from './protocol.ts';
import { forEachTick, TickCollector } from './tick-collector.ts';

const frame = (value: number) => new Int16Array(160).fill(value);

test('one batch per event-loop turn, in order, copied, with absent frames as null; grows past its capacity', async () => {
  const batches: TickBatch[] = [];
  const collector = new TickCollector((batch) => batches.push(batch));
  const reused = frame(1);
  for (let id = 0; id < 100; id++) collector.add(id, id % 2 ? reused : null, frame(id));
  reused.fill(9); // a session reusing its buffer after the tick must not change what was sent
  collector.add(0, null, null); // a catch-up tick of session 0 in the same turn
  assert.equal(batches.length, 0, 'sent after the tick, not per frame');
  await Promise.resolve();
  assert.equal(batches.length, 1);
  const seen: [number, number | null, number | null][] = [];
  forEachTick(batches[0], (id, caller, agent) => seen.push([id, caller && caller[0], agent && agent[159]]));
  assert.equal(seen.length, 101);
  assert.deepEqual(seen[0], [0, null, 0]);
  assert.deepEqual(seen[1], [1, 1, 1]);
  assert.deepEqual(seen[99], [99, 1, 99]);
  assert.deepEqual(seen[100], [0, null, null]);
  collector.add(5, frame(5), null);
  await Promise.resolve();
  assert.equal(batches.length, 2);
  assert.equal(batches[1].ids.length, 1);
});
