import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { EnergyVad } from './energy-vad.ts';
import { addWhiteNoise, assertSegmentsNear, buildSpeechFixture, detect, frames, segmentsOf, silence, SPANISH_TURNS, tone, type SpeechFixture } from './speech-fixture.ts';

// The energy fallback on the same real espeak-ng speech as the Silero tests, with the same
// ±150 ms tolerance on every boundary.

function sequence(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('EnergyVad', () => {
  const fixtures = new Map<string, SpeechFixture>();

  before(async () => {
    for (const [name, noiseDbfs] of [['clean', undefined], ['noise -50 dBFS', -50], ['noise -35 dBFS', -35]] as const) {
      fixtures.set(name, await buildSpeechFixture({ utterances: SPANISH_TURNS, silencesMs: [500, 800, 1000], noiseDbfs, seed: 5 }));
    }
  });

  for (const name of ['clean', 'noise -50 dBFS', 'noise -35 dBFS']) {
    it(`finds both utterances (${name}), each boundary within 150 ms`, async () => {
      const fixture = fixtures.get(name)!;
      assertSegmentsNear(segmentsOf(await detect(new EnergyVad(), fixture.pcm)), fixture.speech);
    });
  }

  it('hears no speech in silence, in steady noise, or in a steady tone present from the start', async () => {
    const noise = silence(4000);
    addWhiteNoise(noise, -30, 9); // loud hiss: over the level gate, but it is the floor
    const hum = tone(50, 4000, -25); // mains hum
    for (const [name, pcm] of [['silence', silence(4000)], ['noise', noise], ['tone', tone(1000, 4000, -20)], ['hum', hum]] as const) {
      assert.deepEqual(await detect(new EnergyVad(), pcm), [], name);
    }
  });

  it('ignores a DC offset on the line (some PSTN gateways send one)', async () => {
    const fixture = fixtures.get('noise -50 dBFS')!;
    const offset = fixture.pcm.map((v) => v + 4000);
    assertSegmentsNear(segmentsOf(await detect(new EnergyVad(), offset)), fixture.speech);
  });

  it('adapts its floor: a steady tone starting mid-call is speech for at most noiseWindowMs', async () => {
    const pcm = sequence(silence(1000), tone(1000, 4000, -20));
    const events = await detect(new EnergyVad({ noiseWindowMs: 1000, minSilenceMs: 300, speechPadMs: 0 }), pcm);
    const [segment, ...rest] = segmentsOf(events);
    assert.deepEqual(rest, []);
    assert.ok(Math.abs(segment.startMs - 1000) <= 40, `started at ${segment.startMs}`);
    assert.ok(segment.endMs >= 1900 && segment.endMs <= 2100, `ended at ${segment.endMs}`);
  });

  it('noise switching on just before the caller speaks: the segment opens at the step, turn ends are still found', async () => {
    const fixture = fixtures.get('clean')!;
    const noisy = fixture.pcm.slice();
    addWhiteNoise(noisy, -45, 4);
    const pcm = sequence(silence(1000), noisy); // quiet line, then the noise comes on with the caller
    const shifted = fixture.speech.map((s) => ({ startMs: s.startMs + 1000, endMs: s.endMs + 1000 }));
    const segments = segmentsOf(await detect(new EnergyVad(), pcm));
    // The noise onset itself may open a segment early, but the turns' ends and the second turn are found.
    assert.ok(segments.length >= 2, JSON.stringify(segments));
    assertSegmentsNear(segments.slice(-1), shifted.slice(-1));
    assert.ok(Math.abs(segments[segments.length - 2].endMs - shifted[0].endMs) <= 150, JSON.stringify(segments));
  });

  it('gives the same events for any chunking, synchronously through processNow', async () => {
    const fixture = fixtures.get('noise -50 dBFS')!;
    const reference = await detect(new EnergyVad(), fixture.pcm);
    const vad = new EnergyVad();
    const events = [];
    for (const chunk of frames(fixture.pcm, 37)) events.push(...vad.processNow(chunk));
    assert.deepEqual(events, reference);
    vad.reset();
    assert.deepEqual(await detect(vad, fixture.pcm), reference, 'after reset');
    await vad.close();
    await assert.rejects(vad.process(new Int16Array(160)), /closed/);
  });

  it('refuses options it cannot work with', () => {
    assert.throws(() => new EnergyVad({ snrLowDb: 10, snrHighDb: 5 }), RangeError);
    assert.throws(() => new EnergyVad({ noiseWindowMs: 5 }), RangeError);
    assert.throws(() => new EnergyVad({ threshold: 2 }), RangeError);
  });
});
