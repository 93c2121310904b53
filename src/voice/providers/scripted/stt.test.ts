import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { frames, pushFrames, readResults, silence, speech } from '../../../../test/helpers/speech-frames.ts';
import { SttError } from '../../stt/errors.ts';
import type { SttOpenOptions } from '../../stt/types.ts';
import { ScriptedStt } from './stt.ts';

const OPEN: SttOpenOptions = { language: 'es', sampleRate: 8000 };

describe('ScriptedStt', () => {
  let hola: Int16Array;
  before(async () => {
    hola = await speech('Hola, buenos días.');
  });

  test('each utterance with speech is heard as the next line; a silent one is empty and uses no line', async () => {
    const stt = new ScriptedStt(['Hola, buenos días.', { text: 'Adiós.', delayMs: 80 }]);
    const stream = stt.open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(silence(100), hola, silence(100)), { everyMs: 0 });
    stream.flush();
    const first = await results.untilFinal();
    await pushFrames(stream, frames(silence(500)), { everyMs: 0 });
    stream.flush();
    const silent = await results.untilFinal();
    await pushFrames(stream, frames(hola), { everyMs: 0 });
    stream.flush();
    const last = await results.untilFinal();
    await stream.close();
    assert.deepEqual(await results.rest(), []);

    assert.deepEqual([first.final.text, silent.final.text, last.final.text], ['Hola, buenos días.', '', 'Adiós.']);
    assert.deepEqual(first.interims.map((r) => [r.type, r.text]), [['interim', 'Hola,']], 'the first word once speech lasted 200 ms');
    assert.deepEqual(silent.interims, []);
    assert.ok(last.final.latencyMs! >= 78, `the line's delay is the flush → final latency (${last.final.latencyMs})`);
    assert.equal(first.final.provider, 'scripted');
    // Timing from the audio itself: speech starts after the 100 ms of silence.
    assert.ok(first.final.startMs! >= 100 && first.final.startMs! < 200, `startMs ${first.final.startMs}`);
    assert.ok(first.final.endMs! <= 100 + hola.length / 8);
    assert.deepEqual(stt.heard.map((h) => [h.text, h.speechMs > 500, Math.round(h.durationMs)]), [
      ['Hola, buenos días.', true, Math.round(200 + hola.length / 8)],
      ['', false, 500],
      ['Adiós.', true, Math.round(hola.length / 8)],
    ]);
  });

  test('finals keep flush order whatever their delays; each stream (call) starts the script afresh', async () => {
    const stt = new ScriptedStt([{ text: 'uno', delayMs: 100 }, { text: 'dos', delayMs: 0 }], { otherwise: '¿perdón?' });
    for (let call = 0; call < 2; call++) {
      const stream = stt.open({ ...OPEN, interimResults: false }, new AbortController().signal);
      for (let i = 0; i < 3; i++) {
        stream.push(hola);
        stream.flush();
      }
      await stream.close();
      const texts = (await readResults(stream.results()).rest()).map((r) => `${r.type}:${r.text}`);
      assert.deepEqual(texts, ['final:uno', 'final:dos', 'final:¿perdón?']);
    }
    assert.equal(stt.opened, 2);
    const shared = new ScriptedStt(['uno', 'dos'], { shared: true });
    const texts = [];
    for (let call = 0; call < 2; call++) {
      const stream = shared.open(OPEN, new AbortController().signal);
      stream.push(hola);
      stream.flush();
      texts.push((await readResults(stream.results()).untilFinal()).final.text);
    }
    assert.deepEqual(texts, ['uno', 'dos'], 'shared: one script across streams');
  });

  test('scripted failures: a line that errors fails the stream; openError fails every stream', async () => {
    const failing = new ScriptedStt(['bien', { text: '', error: new SttError('server', 'scripted outage') }]);
    const stream = failing.open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    stream.push(hola);
    stream.flush();
    stream.push(hola);
    stream.flush();
    assert.equal((await results.untilFinal()).final.text, 'bien');
    await assert.rejects(results.next(), (e: unknown) => e instanceof SttError && e.code === 'server');
    const down = new ScriptedStt([], { openError: new SttError('auth', 'no key') }).open(OPEN, new AbortController().signal);
    await assert.rejects(readResults(down.results()).next(), (e: unknown) => e instanceof SttError && e.code === 'auth');
  });

  test('abort ends a pending delay at once with aborted', async () => {
    const controller = new AbortController();
    const stream = new ScriptedStt([{ text: 'lento', delayMs: 5000 }]).open(OPEN, controller.signal);
    stream.push(hola);
    stream.flush();
    const started = performance.now();
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(readResults(stream.results()).rest(), (e: unknown) => e instanceof SttError && e.code === 'aborted');
    assert.ok(performance.now() - started < 200);
    await stream.close();
  });
});
