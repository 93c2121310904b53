import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { espeakVoiceFor, EspeakTts } from '../tts/espeak-tts.ts';
import type { TtsProvider } from '../tts/types.ts';
import { startAgentClock } from './clock.ts';
import { SpeechHandle, type SpeechDeps } from './speech-handle.ts';
import { FakeCallAudio, ToneTts } from './test-support.ts';

const voice = espeakVoiceFor('es');
const audios: FakeCallAudio[] = [];
after(() => audios.forEach((a) => a.stop()));

function setup(tts: TtsProvider = new ToneTts()): { audio: FakeCallAudio; deps: SpeechDeps } {
  const audio = new FakeCallAudio();
  audios.push(audio);
  audio.start();
  return { audio, deps: { audio, tts, voice, language: 'es', volume: 50, clock: startAgentClock() } };
}

describe('SpeechHandle', () => {
  test('streamed text is spoken sentence by sentence, in order, starting before the text is complete', async () => {
    const tts = new ToneTts({ msPerChar: 10 });
    const { audio, deps } = setup(tts);
    const speech = new SpeechHandle(deps);
    speech.pushText('Hola, buenos');
    speech.pushText(' días. ¿En qué');
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(tts.requests.map((r) => r.text), ['Hola, buenos días.'], 'first sentence synthesised before the text ended');
    assert.ok(audio.plays.length > 0, 'and already queued for playout');
    speech.pushText(' puedo ayudarle?');
    speech.endText();
    const result = await speech.result;
    assert.deepEqual(tts.requests.map((r) => r.text), ['Hola, buenos días.', '¿En qué puedo ayudarle?']);
    assert.equal(result.text, 'Hola, buenos días. ¿En qué puedo ayudarle?');
    assert.equal(result.interrupted, false);
    assert.ok(result.startMs !== null && result.endMs - result.startMs >= 380, `played ~410 ms of audio: ${result.startMs}→${result.endMs}`);
    assert.equal(result.ttsFirstByteMs !== null && result.ttsFirstByteMs < 20, true);
  });

  test('interrupt() clears playout at once, aborts synthesis and keeps only the words that played', async () => {
    const { audio, deps } = setup(new ToneTts({ msPerChar: 60 }));
    const speech = new SpeechHandle(deps);
    speech.say('Claro que sí, le explico. El plan básico cuesta diez euros al mes y el avanzado veinte. ¿Cuál prefiere?');
    await audio.until(() => audio.agentFrames.filter(Boolean).length >= 50); // 1 s played
    const framesBefore = audio.agentFrames.length;
    speech.interrupt();
    assert.equal(audio.clears.length, 1, 'clearPlayout is called synchronously');
    const result = await speech.result;
    await audio.until(() => audio.agentFrames.length >= framesBefore + 3);
    assert.deepEqual(audio.agentFrames.slice(framesBefore), [false, false, false], 'no agent audio after the interrupt');
    assert.equal(result.interrupted, true);
    // 1 s of the first sentence's 1.5 s (25 chars at 60 ms) ≈ 17 characters: the words wholly
    // inside them; "explico", cut in the middle, is not counted.
    assert.equal(result.text, 'Claro que sí, le');
    assert.match(result.fullText, /^Claro que sí, le explico\./);
    speech.interrupt(); // idempotent
    assert.equal(audio.clears.length, 1);
  });

  test('a parent signal (the turn, the call) interrupts it; interrupt after playout is a no-op', async () => {
    const { audio, deps } = setup(new ToneTts({ msPerChar: 5 }));
    const done = new SpeechHandle(deps).say('Corto.');
    await done.result;
    done.interrupt();
    assert.equal(audio.clears.length, 0);
    const parent = new AbortController();
    const speech = new SpeechHandle(deps, parent.signal);
    speech.pushText('Una frase que se queda');
    parent.abort();
    const result = await speech.result;
    assert.deepEqual([result.interrupted, result.text, speech.signal.aborted], [true, '', true]);
  });

  test('real espeak-ng audio: the played length matches the synthesised sentences', async () => {
    const { deps } = setup(new EspeakTts());
    const result = await new SpeechHandle(deps).say('Buenos días. Gracias por llamar.').result;
    assert.equal(result.text, 'Buenos días. Gracias por llamar.');
    assert.ok(result.startMs !== null && result.endMs - result.startMs > 1000, `${result.endMs - result.startMs!} ms`);
  });
});
