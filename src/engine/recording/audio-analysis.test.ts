import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { activeSegments, rms, toDbfs } from './audio-analysis.ts';

const RATE = 8000;

/** Concatenates [ms, amplitude] pieces of a 440 Hz tone (amplitude 0 = silence). */
function signal(...pieces: [number, number][]): Int16Array {
  const parts = pieces.map(([ms, amplitude]) => {
    const out = new Int16Array((ms * RATE) / 1000);
    for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / RATE));
    return out;
  });
  const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

describe('rms', () => {
  test('of a sine is amplitude/√2; of silence and of an empty range is 0', () => {
    const tone = signal([1000, 10000]);
    assert.ok(Math.abs(rms(tone) - 10000 / Math.SQRT2) < 20);
    assert.equal(rms(new Int16Array(100)), 0);
    assert.equal(rms(tone, 50, 50), 0);
  });

  test('measures only the given range, clamped to the array', () => {
    const s = signal([500, 0], [500, 8000]);
    assert.equal(rms(s, 0, 4000), 0);
    assert.ok(Math.abs(rms(s, 4000) - 8000 / Math.SQRT2) < 20);
    assert.equal(rms(s, -100, 4000), 0);
    assert.ok(rms(s, 4000, 1e9) > 5000);
  });

  test('toDbfs: full-scale sine ≈ -3 dB, silence -Infinity', () => {
    assert.ok(Math.abs(toDbfs(32767 / Math.SQRT2) - -3.01) < 0.05);
    assert.equal(toDbfs(0), -Infinity);
  });
});

describe('activeSegments', () => {
  test('finds tones between silences, to the frame', () => {
    const s = signal([500, 0], [1000, 6000], [800, 0], [300, 6000], [400, 0]);
    assert.deepEqual(activeSegments(s, { sampleRate: RATE }), [
      { startMs: 500, endMs: 1500 },
      { startMs: 2300, endMs: 2600 },
    ]);
  });

  test('pauses shorter than minSilenceMs stay inside one segment', () => {
    const s = signal([400, 6000], [100, 0], [400, 6000], [300, 0], [200, 6000]);
    assert.deepEqual(activeSegments(s, { sampleRate: RATE }), [
      { startMs: 0, endMs: 900 },
      { startMs: 1200, endMs: 1400 },
    ]);
    assert.equal(activeSegments(s, { sampleRate: RATE, minSilenceMs: 50 }).length, 3);
  });

  test('the threshold decides what counts: quiet noise below -40 dBFS is silence', () => {
    const quiet = signal([1000, 200]); // ≈ -47 dBFS
    assert.deepEqual(activeSegments(quiet, { sampleRate: RATE }), []);
    assert.deepEqual(activeSegments(quiet, { sampleRate: RATE, thresholdDb: -50 }), [{ startMs: 0, endMs: 1000 }]);
  });

  test('a trailing partial frame ends at the real end; other rates and frame sizes', () => {
    const s = signal([1010, 6000]);
    assert.deepEqual(activeSegments(s, { sampleRate: RATE }), [{ startMs: 0, endMs: 1010 }]);
    const at16k = new Int16Array(16000).fill(5000, 8000);
    assert.deepEqual(activeSegments(at16k, { sampleRate: 16000, frameMs: 10 }), [{ startMs: 500, endMs: 1000 }]);
  });

  test('empty input has no segments; bad options throw', () => {
    assert.deepEqual(activeSegments(new Int16Array(0), { sampleRate: RATE }), []);
    assert.throws(() => activeSegments(new Int16Array(10), { sampleRate: 0 }), RangeError);
  });
});
