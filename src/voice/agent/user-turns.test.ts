import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ScriptedStt } from '../providers/scripted/stt.ts';
import type { SttStream } from '../stt/types.ts';
import { createVadProvider, type VadProvider } from '../vad/index.ts';
import { buildSpeechFixture, frames, SPANISH_TURNS, type SpeechFixture } from '../vad/speech-fixture.ts';
import { startAgentClock } from './clock.ts';
import { VadTurnDetector, type UserSpeechEvent, type UserTranscript } from './user-turns.ts';

let vads: VadProvider;
let fixture: SpeechFixture;
before(async () => {
  vads = await createVadProvider({ kind: 'silero' });
  assert.equal(vads.kind, 'silero', 'the real Silero model must load');
  fixture = await buildSpeechFixture({ utterances: SPANISH_TURNS, silencesMs: [600, 1200, 900] });
});
after(() => vads.close());

/** Energy of the samples in [fromMs, toMs) of `pcm`. */
function energy(pcm: Int16Array, fromMs = 0, toMs = pcm.length / 8): number {
  let sum = 0;
  for (let i = Math.round(fromMs * 8); i < Math.min(pcm.length, toMs * 8); i++) sum += pcm[i] * pcm[i];
  return sum;
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, f) => n + f.length, 0));
  parts.reduce((at, f) => (out.set(f, at), at + f.length), 0);
  return out;
}

describe('VadTurnDetector (real Silero VAD, scripted STT)', () => {
  test('two caller turns: boundaries, one flush each, transcripts in order, all the speech reached STT', async () => {
    const stt = new ScriptedStt(['Buenos días, quería saber el estado de mi pedido.', 'Sí, el número es cuatro cinco seis.']);
    const stream = stt.open({ language: 'es', sampleRate: 8000 }, new AbortController().signal);
    const utterances: Int16Array[][] = [[]];
    const recording: SttStream = {
      push: (f) => (utterances.at(-1)!.push(f.slice()), stream.push(f)),
      flush: () => (utterances.push([]), stream.flush()),
      results: () => stream.results(),
      close: () => stream.close(),
    };
    const starts: UserSpeechEvent[] = [];
    const ends: UserSpeechEvent[] = [];
    const transcripts: UserTranscript[] = [];
    const clock = startAgentClock();
    const detector = new VadTurnDetector(vads.createVad(), recording, clock, {
      onSpeechStart: (e) => starts.push(e),
      onSpeechEnd: (e) => ends.push(e),
      onTranscript: (t) => transcripts.push(t),
    });
    const consumed = detector.consume();
    // Fed in real time, as RTP delivers it, so call ms line up with the fixture's own time line.
    const startedAt = performance.now();
    let n = 0;
    for (const frame of frames(fixture.pcm)) {
      detector.pushFrame(frame);
      n++;
      await new Promise((r) => setTimeout(r, Math.max(0, startedAt + n * 20 - performance.now())));
    }
    await new Promise((r) => setTimeout(r, 50));
    await detector.close();
    await consumed;

    assert.deepEqual(transcripts.map((t) => t.text), ['Buenos días, quería saber el estado de mi pedido.', 'Sí, el número es cuatro cinco seis.']);
    assert.equal(starts.length, 2);
    assert.equal(ends.length, 2);
    const offset = starts[0].atMs - fixture.speech[0].startMs; // call clock vs fixture time (≈ 20 ms, the first frame's arrival)
    fixture.speech.forEach((truth, i) => {
      assert.ok(Math.abs(starts[i].atMs - offset - truth.startMs) < 150, `start ${i}: ${starts[i].atMs - offset} vs ${truth.startMs}`);
      assert.ok(Math.abs(transcripts[i].endMs - offset - truth.endMs) < 200, `end ${i}: ${transcripts[i].endMs - offset} vs ${truth.endMs}`);
      assert.ok(transcripts[i].endpointingMs >= 400 && transcripts[i].endpointingMs <= 600, `endpointing ${transcripts[i].endpointingMs}`);
      assert.ok(starts[i].detectedAtMs > starts[i].atMs);
    });
    // The pre-roll: each utterance sent to STT starts with ~300 ms of the silence before the
    // onset, so every bit of its sound went to STT, its first syllable included.
    const sent = utterances.slice(0, 2).map(concat);
    sent.forEach((pcm, i) => assert.equal(energy(pcm, 0, 150), 0, `utterance ${i} sent to STT from at least 150 ms before its onset`));
    const spoken = energy(fixture.pcm);
    const got = energy(sent[0]) + energy(sent[1]);
    assert.ok(got >= spoken * 0.999, `STT got ${((got / spoken) * 100).toFixed(2)} % of the speech energy`);
    assert.ok(sent[0].length + sent[1].length < fixture.pcm.length - 8000, 'and not the silences between turns');
    assert.deepEqual(stt.heard.map((h) => h.speechMs > 1000), [true, true]);
  });
});
