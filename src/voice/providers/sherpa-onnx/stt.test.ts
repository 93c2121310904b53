import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { onnxModel } from '../../../../test/helpers/onnx-model.ts';
import { writeTestTransducer, writeTestZipformer2Ctc } from '../../../../test/helpers/sherpa-test-model.ts';
import { frames, pushFrames, readResults, silence } from '../../../../test/helpers/speech-frames.ts';
import { sineTone } from '../../../../test/helpers/tone.ts';
import { SttError } from '../../stt/errors.ts';
import type { SttOpenOptions, SttResult } from '../../stt/types.ts';
import { SherpaLoadError } from './probe.ts';
import { SherpaOnnxStt } from './stt.ts';

// Real recognition: sherpa-onnx-node's native recogniser decoding 8 kHz call audio with the
// tiny transducer test/helpers/sherpa-test-model.ts writes (a tone under 1 kHz is "sí señor",
// above it "no"; see there). 700 Hz is under 1 kHz only if the audio really is resampled from
// 8 kHz: taken as 16 kHz it would be 1.4 kHz, and heard as "no".
const OPEN: SttOpenOptions = { language: 'es', sampleRate: 8000 };
const low = (ms: number) => sineTone(700, 8000, ms, 8000);
const high = (ms: number) => sineTone(2000, 8000, ms, 8000);
const texts = (results: SttResult[]) => results.map((r) => `${r.type}:${r.text}`);
/** Token times have the resolution of one encoder frame (4 feature frames of 10 ms): the frame the onset falls in. */
const atOnset = (ms: number | undefined, onset: number) => ms !== undefined && ms > onset - 40 && ms <= onset;

describe('SherpaOnnxStt: real sherpa-onnx recognition of 8 kHz call audio', () => {
  const root = mkdtempSync(join(tmpdir(), 'habla-sherpa-stt-'));
  let stt: SherpaOnnxStt;
  before(async () => {
    writeTestTransducer(join(root, 'model'));
    stt = new SherpaOnnxStt({ modelDir: join(root, 'model') });
    await stt.ready();
  });
  after(async () => {
    await stt.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('each flushed utterance is recognised from its audio; finals in flush order, timed in stream time', async () => {
    const stream = stt.open({ ...OPEN, interimResults: false }, new AbortController().signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(silence(300), low(600), silence(200)));
    stream.flush();
    await pushFrames(stream, frames(silence(100), high(400), silence(100)));
    stream.flush();
    await pushFrames(stream, frames(silence(500)));
    stream.flush();
    const [first, second, quiet] = [await results.untilFinal(), await results.untilFinal(), await results.untilFinal()];
    await stream.close();
    assert.deepEqual(await results.rest(), []);

    assert.deepEqual([first.final.text, second.final.text, quiet.final.text], ['sí señor', 'no', '']);
    assert.deepEqual([first.interims, second.interims], [[], []]);
    // The tone starts 300 ms into the call and lasts 600 ms; the second at 1100 + 100 ms.
    assert.ok(atOnset(first.final.startMs, 300), `startMs ${first.final.startMs}`);
    assert.ok(first.final.endMs! > first.final.startMs! && first.final.endMs! <= 900, `endMs ${first.final.endMs}`);
    assert.ok(atOnset(second.final.startMs, 1200), `startMs ${second.final.startMs}`);
    assert.equal(quiet.final.startMs, undefined);
    for (const { final } of [first, second, quiet]) {
      assert.equal(final.provider, 'sherpa-onnx:model');
      assert.ok(final.latencyMs! >= 0);
    }
    assert.ok(first.final.confidence! > 0 && first.final.confidence! <= 1);
  });

  test('interims come while the caller speaks, before the flush, as the whole utterance so far', async () => {
    const stream = stt.open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(silence(100), low(800)));
    const interim = await results.next(); // no flush yet: only decoding the audio can produce it
    assert.deepEqual([interim?.type, interim?.text], ['interim', 'sí señor']);
    assert.ok(atOnset(interim?.startMs, 100), `startMs ${interim?.startMs}`);
    stream.flush();
    const { final } = await results.untilFinal();
    assert.equal(final.text, 'sí señor');
    await stream.close();
  });

  test('two calls at once, each with its own utterances, through the one worker', async () => {
    const calls = [low, high].map((tone) => {
      const stream = stt.open({ ...OPEN, interimResults: false }, new AbortController().signal);
      return { stream, results: readResults(stream.results()), audio: frames(tone(500), silence(100)) };
    });
    await Promise.all(calls.map((c) => pushFrames(c.stream, c.audio)));
    for (const c of calls) c.stream.flush();
    const finals = await Promise.all(calls.map(async (c) => (await c.results.untilFinal()).final.text));
    assert.deepEqual(finals, ['sí señor', 'no']);
    await Promise.all(calls.map((c) => c.stream.close()));
    const { decode } = stt.stats();
    assert.ok(decode.steps > 0 && decode.streamSteps >= decode.steps && decode.maxMs >= decode.totalMs / decode.steps);
  });

  test('a flush with nothing heard is final at once; close() delivers the pending finals, then ends; later audio is dropped', async () => {
    const stream = stt.open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    stream.flush();
    await pushFrames(stream, frames(high(300)), { everyMs: 0 });
    stream.flush();
    const closed = stream.close();
    stream.push(low(300)); // after close: ignored
    stream.flush();
    await closed;
    assert.deepEqual(texts((await results.rest()).filter((r) => r.type === 'final')), ['final:', 'final:no']);
    await stream.close(); // idempotent
  });

  test('aborting the signal fails results() with SttError(aborted) at once, pending finals discarded', async () => {
    const controller = new AbortController();
    const stream = stt.open(OPEN, controller.signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(low(400)), { everyMs: 0 });
    stream.flush();
    controller.abort();
    await assert.rejects(results.next(), (e: unknown) => e instanceof SttError && e.code === 'aborted');
    await stream.close();
    const late = stt.open(OPEN, AbortSignal.abort());
    await assert.rejects(readResults(late.results()).next(), (e: unknown) => e instanceof SttError && e.code === 'aborted');
  });

  test('the boot check loaded and timed the model in a child process', () => {
    const probe = stt.probe!;
    assert.ok(probe.loadMs > 0 && probe.steps > 0 && probe.meanStepMs > 0 && probe.maxStepMs >= probe.meanStepMs, JSON.stringify(probe));
    assert.equal(probe.audioMs, 2000);
    assert.ok(stt.stats().loadMs! > 0);
  });
});

describe('SherpaOnnxStt with a streaming Zipformer2 CTC model', () => {
  const root = mkdtempSync(join(tmpdir(), 'habla-sherpa-ctc-'));
  let stt: SherpaOnnxStt;
  before(async () => {
    writeTestZipformer2Ctc(join(root, 'ctc-model'));
    stt = new SherpaOnnxStt({ modelDir: join(root, 'ctc-model') });
    await stt.ready();
  });
  after(async () => {
    await stt.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('words are recognised as the audio comes (interims grow), then the final; silence is ""', async () => {
    assert.equal(stt.model.family, 'zipformer2-ctc');
    const stream = stt.open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(low(400), silence(400), high(400), silence(100)));
    stream.flush();
    await pushFrames(stream, frames(silence(300)));
    stream.flush();
    const [words, quiet] = [await results.untilFinal(), await results.untilFinal()];
    await stream.close();
    assert.deepEqual(texts([...words.interims, words.final]), ['interim:sí', 'interim:sí no', 'final:sí no']);
    assert.ok(atOnset(words.final.startMs, 0) && words.final.endMs! >= 800, JSON.stringify(words.final)); // "no" starts at 800 ms
    assert.equal(quiet.final.text, '');
  });
});

describe('SherpaOnnxStt: a model sherpa-onnx cannot run', () => {
  test('stops construction with onnxruntime\'s own words; the crash stays in the probe\'s child process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'habla-sherpa-bad-'));
    try {
      const files = writeTestTransducer(dir);
      // Metadata in order (so the directory check passes) but a graph onnxruntime refuses.
      writeFileSync(files.encoder, onnxModel({
        name: 'encoder', inputs: [{ name: 'x', type: 'float', dims: ['N', 24, 80] }], outputs: [{ name: 'y', type: 'float', dims: ['N', 4, 4] }],
        nodes: [{ op: 'Identity', inputs: ['not_defined'], outputs: ['y'] }],
        metadata: { model_type: 'lstm', num_encoder_layers: '1', T: '24', decode_chunk_len: '16', rnn_hidden_size: '1', d_model: '1' },
      }));
      assert.throws(
        () => new SherpaOnnxStt({ modelDir: dir }),
        (e: unknown) => e instanceof SherpaLoadError
          && /^sherpa-onnx could not load the model \(the loader crashed with SIGABRT\): Load model from .*encoder-epoch-99-avg-1\.onnx failed:.*'not_defined'/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
