import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Resampler, resample } from './resampler.ts';

const RATES = [8000, 16000, 22050, 24000, 48000];

function sine(freq: number, rate: number, seconds: number, amplitude: number): Int16Array {
  const out = new Int16Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

/** Frequency from zero crossings over the steady middle of the signal (edges skipped). */
function measureFrequency(pcm: Int16Array, rate: number): number {
  const from = Math.floor(pcm.length * 0.1);
  const to = Math.floor(pcm.length * 0.9);
  let first = -1;
  let last = -1;
  let crossings = 0;
  for (let i = from + 1; i < to; i++) {
    if (pcm[i - 1] < 0 && pcm[i] >= 0) {
      // Linear interpolation of the crossing instant, for sub-sample precision.
      const t = i - 1 + -pcm[i - 1] / (pcm[i] - pcm[i - 1]);
      if (first < 0) first = t;
      else crossings++;
      last = t;
    }
  }
  return (crossings * rate) / (last - first);
}

function rms(pcm: Int16Array, from = 0, to = pcm.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += pcm[i] * pcm[i];
  return Math.sqrt(s / (to - from));
}

function peak(pcm: Int16Array): number {
  return pcm.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

describe('resampler', () => {
  for (const from of RATES) {
    for (const to of RATES) {
      if (from === to) continue;
      it(`${from} → ${to} Hz keeps a 1 kHz sine's frequency and level without clipping`, () => {
        const amplitude = 0.9 * 32767;
        const input = sine(1000, from, 0.5, amplitude);
        const out = resample(input, from, to);
        assert.equal(out.length, Math.ceil((input.length * to) / from));
        const f = measureFrequency(out, to);
        assert.ok(Math.abs(f - 1000) < 1, `measured ${f.toFixed(3)} Hz`);
        const mid = [Math.floor(out.length * 0.1), Math.floor(out.length * 0.9)] as const;
        const levelDb = 20 * Math.log10(rms(out, ...mid) / (amplitude / Math.SQRT2));
        assert.ok(Math.abs(levelDb) < 0.1, `level ${levelDb.toFixed(3)} dB`);
        // In steady state the sine keeps its peak; the abrupt onset may ring a little more.
        const steadyPeak = peak(out.subarray(...mid));
        assert.ok(steadyPeak <= amplitude * 1.005, `steady peak ${steadyPeak}`);
        assert.ok(peak(out) <= amplitude * 1.03, `peak ${peak(out)}`);
        assert.ok(peak(out) < 32767, 'never reaches the clamp');
      });
    }
  }

  it('filters what cannot exist at the lower rate instead of aliasing it (22 050 → 8000)', () => {
    // A 6 kHz tone is above the 4 kHz Nyquist limit: linear interpolation would fold it to 2 kHz.
    const input = sine(6000, 22050, 0.5, 20000);
    const out = resample(input, 22050, 8000);
    const attenuationDb = 20 * Math.log10(rms(out, 400, 3600) / rms(input));
    assert.ok(attenuationDb < -50, `only ${attenuationDb.toFixed(1)} dB down`);
  });

  it('gives the same samples whether fed in 20 ms frames or in one piece', () => {
    const input = sine(440, 22050, 0.3, 12000);
    const whole = resample(input, 22050, 8000);
    const r = new Resampler(22050, 8000);
    const parts: number[] = [];
    for (let i = 0; i < input.length; i += 441) parts.push(...r.push(input.subarray(i, i + 441)));
    parts.push(...r.flush());
    assert.deepEqual(Int16Array.from(parts), whole);
    // After flush the instance starts a new stream.
    assert.deepEqual(Int16Array.from([...r.push(input), ...r.flush()]), whole);
  });

  it('copies through at equal rates, preserves silence and clamps overshoot on full-scale squares', () => {
    const input = sine(500, 8000, 0.1, 1000);
    assert.deepEqual(resample(input, 8000, 8000), input);
    assert.ok(resample(new Int16Array(800), 8000, 48000).every((v) => v === 0));
    const square = Int16Array.from({ length: 2205 }, (_, i) => (Math.floor(i / 50) % 2 ? 32767 : -32768));
    const out = resample(square, 22050, 8000);
    assert.ok(out.every((v) => v >= -32768 && v <= 32767));
  });

  it('rejects nonsense rates', () => {
    assert.throws(() => new Resampler(0, 8000), RangeError);
    assert.throws(() => new Resampler(8000, 44100.5), RangeError);
    assert.equal(resample(new Int16Array(0), 22050, 8000).length, 0);
  });
});
