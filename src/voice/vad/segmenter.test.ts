import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpeechSegmenter } from './segmenter.ts';
import { resolveVadOptions, type VadEvent, type VadOptions } from './vad.ts';

const WINDOW_MS = 32;

/** Feeds one probability per 32 ms window from stream time 0; returns every event. */
function run(probabilities: number[], options: Partial<VadOptions> = {}, windowMs = WINDOW_MS): VadEvent[] {
  const segmenter = new SpeechSegmenter(resolveVadOptions(options));
  const events: VadEvent[] = [];
  probabilities.forEach((p, i) => {
    const event = segmenter.push(p, i * windowMs, (i + 1) * windowMs);
    if (event) events.push(event);
  });
  return events;
}

/** `n` windows of probability `p`. */
const windows = (n: number, p: number) => Array<number>(n).fill(p);

describe('SpeechSegmenter', () => {
  it('starts after minSpeechMs, backdated to the first speech window minus the pad', () => {
    // Speech from window 10 (320 ms); minSpeechMs 100 → confirmed at the end of window 13 (448 ms).
    const events = run([...windows(10, 0.05), ...windows(10, 0.9)], { minSpeechMs: 100, speechPadMs: 30 });
    assert.deepEqual(events, [{ type: 'speech_start', atMs: 290, detectedAtMs: 448, probability: 0.9 }]);
  });

  it('ends after minSilenceMs of silence, at the last speech window plus the pad', () => {
    const probabilities = [...windows(5, 0.9), ...windows(20, 0.1)];
    const events = run(probabilities, { minSpeechMs: 64, minSilenceMs: 300, speechPadMs: 30 });
    // Silence from 160 ms; 300 ms of it is complete at the end of window 14 (480 ms).
    assert.deepEqual(events.map((e) => [e.type, e.atMs, e.detectedAtMs]), [
      ['speech_start', 0, 64],
      ['speech_end', 190, 480],
    ]);
  });

  it('ignores speech shorter than minSpeechMs', () => {
    const events = run([...windows(5, 0), 0.95, 0.95, 0.1, ...windows(5, 0)], { minSpeechMs: 100 });
    assert.deepEqual(events, []);
  });

  it('keeps confirming a start through windows between the thresholds', () => {
    const events = run([0.6, 0.4, 0.4, 0.4, 0.1], { minSpeechMs: 128, speechPadMs: 0 });
    assert.deepEqual(events.map((e) => [e.type, e.atMs, e.detectedAtMs]), [['speech_start', 0, 128]]);
  });

  it('does not start on windows between the thresholds alone', () => {
    assert.deepEqual(run(windows(50, 0.45)), []);
  });

  it('a pause shorter than minSilenceMs stays inside one segment', () => {
    const probabilities = [...windows(10, 0.9), ...windows(8, 0.05), ...windows(10, 0.9), ...windows(30, 0.05)];
    const events = run(probabilities, { minSilenceMs: 300, speechPadMs: 0 });
    assert.deepEqual(events.map((e) => [e.type, e.atMs]), [
      ['speech_start', 0],
      ['speech_end', 28 * WINDOW_MS],
    ]);
  });

  it('hysteresis: windows between the thresholds neither end speech nor reset a running silence', () => {
    // Speaking; 0.4 alone holds speech; silence starts at 0.1 and 0.4 windows keep it running.
    const probabilities = [...windows(5, 0.9), ...windows(20, 0.4), 0.1, ...windows(20, 0.4)];
    const events = run(probabilities, { minSpeechMs: 0, minSilenceMs: 320, speechPadMs: 0 });
    assert.deepEqual(events.map((e) => [e.type, e.atMs, e.detectedAtMs]), [
      ['speech_start', 0, 32],
      ['speech_end', 25 * WINDOW_MS, 35 * WINDOW_MS],
    ]);
  });

  it('a speech window during the endpointing silence cancels it', () => {
    const probabilities = [...windows(5, 0.9), ...windows(9, 0.1), 0.8, ...windows(9, 0.1), ...windows(20, 0.1)];
    const events = run(probabilities, { minSpeechMs: 0, minSilenceMs: 320, speechPadMs: 0 });
    assert.deepEqual(events.map((e) => [e.type, e.atMs]), [
      ['speech_start', 0],
      ['speech_end', 15 * WINDOW_MS],
    ]);
  });

  it('a padded start never reaches back before the previous end or the stream start', () => {
    const probabilities = [...windows(4, 0.9), ...windows(10, 0.1), ...windows(4, 0.9), ...windows(20, 0.1)];
    const events = run(probabilities, { minSpeechMs: 64, minSilenceMs: 300, speechPadMs: 300 });
    assert.deepEqual(events.map((e) => [e.type, e.atMs]), [
      ['speech_start', 0], // 0 − 300 clamped to the stream start
      ['speech_end', 428], // 128 + 300
      ['speech_start', 428], // 448 − 300 = 148 clamped to the end before it
      ['speech_end', 876],
    ]);
  });

  it('works with 20 ms windows (the energy detector)', () => {
    const events = run([...windows(25, 0), ...windows(50, 1), ...windows(40, 0)], { minSilenceMs: 400, speechPadMs: 20 }, 20);
    assert.deepEqual(events.map((e) => [e.type, e.atMs, e.detectedAtMs]), [
      ['speech_start', 480, 600],
      ['speech_end', 1520, 1900],
    ]);
  });

  it('reset forgets a segment in progress', () => {
    const segmenter = new SpeechSegmenter(resolveVadOptions({ minSpeechMs: 0 }));
    assert.equal(segmenter.push(0.9, 0, 32)?.type, 'speech_start');
    assert.equal(segmenter.isSpeaking, true);
    segmenter.reset();
    assert.equal(segmenter.isSpeaking, false);
    assert.equal(segmenter.push(0.9, 0, 32)?.type, 'speech_start');
  });
});

describe('resolveVadOptions', () => {
  it('fills the defaults and keeps 0 as a legal value', () => {
    const options = resolveVadOptions({ minSpeechMs: 0, speechPadMs: 0 });
    assert.deepEqual(options, { threshold: 0.5, negativeThreshold: 0.35, minSpeechMs: 0, minSilenceMs: 500, speechPadMs: 0 });
  });

  it('refuses values the segmenter cannot honour', () => {
    assert.throws(() => resolveVadOptions({ threshold: 0 }), RangeError);
    assert.throws(() => resolveVadOptions({ threshold: 0.5, negativeThreshold: 0.6 }), RangeError);
    assert.throws(() => resolveVadOptions({ minSilenceMs: -1 }), RangeError);
    assert.throws(() => resolveVadOptions({ minSpeechMs: Number.NaN }), RangeError);
    assert.throws(() => resolveVadOptions({ minSilenceMs: 100, speechPadMs: 200 }), RangeError);
  });
});
