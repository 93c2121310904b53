import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyHistogram } from './latency-histogram.ts';

test('percentiles at 0.1 ms resolution, overflow kept as the maximum, bounded memory', () => {
  const h = new LatencyHistogram();
  assert.equal(h.quantile(0.5), undefined);
  for (let i = 0; i < 98; i++) h.record(0.42);
  h.record(3.05);
  h.record(250); // a 250 ms stall: beyond the buckets, still seen by p100 and max
  assert.equal(h.count, 100);
  assert.equal(h.quantile(0.5), 0.5);
  assert.equal(h.quantile(0.99), 3.1);
  assert.equal(h.quantile(1), 250);
  assert.equal(h.max, 250);
  for (let i = 0; i < 1_000_000; i++) h.record(i % 7);
  assert.equal(h.count, 1_000_100);
});

test('negative and non-finite samples count as zero (a tick handled early is on time)', () => {
  const h = new LatencyHistogram();
  h.record(-0.3);
  h.record(Number.NaN);
  assert.equal(h.quantile(1), 0.1);
});

test('cumulative counts below coarser edges, and the sum, for exporting the buckets', () => {
  const h = new LatencyHistogram();
  for (const ms of [0.05, 0.49, 0.5, 1.2, 4.99, 5, 30, 250]) h.record(ms);
  // [0, 0.5) holds 0.05 and 0.49; 0.5 falls in [0.5, 0.6), above the 0.5 edge.
  assert.deepEqual(h.countBelow([0.5, 1, 5, 5.1, 50, 200]), [2, 3, 5, 6, 7, 7]);
  assert.deepEqual(h.countBelow([]), []);
  assert.equal(Math.round(h.sumMs * 100) / 100, 292.23);
});

test('a snapshot loaded elsewhere gives the same figures', () => {
  const source = new LatencyHistogram();
  for (const ms of [0, 0.05, 0.4, 0.4, 3.2, 17, 250]) source.record(ms);
  const snapshot = source.snapshot();
  assert.equal(snapshot.buckets.length, 5, 'only the non-empty buckets travel');
  const copy = new LatencyHistogram();
  copy.record(9); // replaced, not added to
  copy.load(snapshot);
  assert.equal(copy.count, source.count);
  assert.equal(copy.sumMs, source.sumMs);
  assert.equal(copy.max, source.max);
  assert.deepEqual(copy.countBelow([0.5, 5, 50]), source.countBelow([0.5, 5, 50]));
  assert.equal(copy.quantile(0.99), source.quantile(0.99));
});
