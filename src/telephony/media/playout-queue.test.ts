import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PlayoutQueue } from './playout-queue.ts';

const ramp = (n: number): Int16Array => Int16Array.from({ length: n }, (_, i) => i + 1);

test('frames come out in order, 160 samples each, the last zero-padded; done reports the real length', async () => {
  const queue = new PlayoutQueue();
  const first = queue.enqueue(ramp(400));
  const second = queue.enqueue(ramp(160));
  const frames: Int16Array[] = [];
  for (let f = queue.nextFrame(); f; f = queue.nextFrame()) frames.push(Int16Array.from(f));
  assert.equal(frames.length, 4);
  assert.ok(frames.every((f) => f.length === 160));
  assert.deepEqual(Array.from(frames[2].subarray(0, 80)), Array.from(ramp(400).subarray(320)));
  assert.ok(frames[2].subarray(80).every((x) => x === 0));
  assert.deepEqual(frames[3], ramp(160));
  assert.deepEqual(await first.done, { playedMs: 50, interrupted: false });
  assert.deepEqual(await second.done, { playedMs: 20, interrupted: false });
  assert.equal(queue.nextFrame(), null);
});

test('clear() interrupts every queued handle with what was actually sent', async () => {
  const queue = new PlayoutQueue();
  const playing = queue.enqueue(ramp(8000));
  const waiting = queue.enqueue(ramp(800));
  for (let i = 0; i < 7; i++) queue.nextFrame();
  assert.equal(queue.pendingMs, 1000 - 140 + 100);
  queue.clear();
  assert.deepEqual(await playing.done, { playedMs: 140, interrupted: true });
  assert.deepEqual(await waiting.done, { playedMs: 0, interrupted: true });
  assert.equal(queue.pending, 0);
  assert.equal(queue.nextFrame(), null);
});

test('empty audio is done at once; ids increase', async () => {
  const queue = new PlayoutQueue();
  const a = queue.enqueue(new Int16Array(0));
  const b = queue.enqueue(ramp(10));
  assert.ok(b.id > a.id);
  assert.deepEqual(await a.done, { playedMs: 0, interrupted: false });
  assert.equal(queue.pending, 1);
});
