import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SILERO_INPUT_SAMPLES } from './silero-model.ts';
import { SileroStream } from './silero-stream.ts';
import { resolveVadOptions } from './vad.ts';

// The model input contract of the official v5 wrapper at 8 kHz: each 256-sample window is
// preceded by the previous window's last 32 samples (zeros before the first). Feeding bare
// 256-sample windows makes v5 at 8 kHz miss speech entirely (README.md), so pin it here.

const ramp = (n: number) => Int16Array.from({ length: n }, (_, i) => i);

describe('SileroStream', () => {
  it('cuts 20 ms frames into 32-sample context + 256-sample windows, scaled to [-1, 1]', () => {
    const stream = new SileroStream(resolveVadOptions());
    const windows = [];
    const audio = ramp(160 * 4); // 640 samples: two whole windows and 128 left over
    for (let i = 0; i < audio.length; i += 160) windows.push(...stream.cut(audio.subarray(i, i + 160)));
    assert.equal(windows.length, 2);
    const expected = (from: number) =>
      Float32Array.from({ length: SILERO_INPUT_SAMPLES }, (_, k) => (from + k < 0 ? 0 : (from + k) / 32768));
    assert.deepEqual(windows[0].input, expected(-32));
    assert.deepEqual(windows[1].input, expected(256 - 32));
    // The leftover 128 samples complete the third window with the next frame.
    const [third] = stream.cut(ramp(128).map((v) => v + 640));
    assert.deepEqual(third.input, expected(512 - 32));
  });

  it('times each accepted window as 32 ms of stream, and reset() starts over', () => {
    const stream = new SileroStream(resolveVadOptions({ minSpeechMs: 64, speechPadMs: 0 }));
    assert.equal(stream.accept(0.1), null);
    stream.skip(); // a failed window still takes its 32 ms
    assert.equal(stream.accept(0.9), null);
    assert.deepEqual(stream.accept(0.9), { type: 'speech_start', atMs: 64, detectedAtMs: 128, probability: 0.9 });
    const generation = stream.generation;
    stream.state.fill(1);
    stream.reset();
    assert.equal(stream.generation, generation + 1);
    assert.ok(stream.state.every((v) => v === 0));
    const [first] = stream.cut(new Int16Array(256).fill(16384));
    assert.ok(first.input.subarray(0, 32).every((v) => v === 0), 'no context survives a reset');
    assert.equal(first.generation, generation + 1);
  });
});
