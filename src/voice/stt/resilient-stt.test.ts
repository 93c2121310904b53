import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { startMockDeepgram, type MockDeepgramServer } from '../../../test/helpers/mock-deepgram-server.ts';
import { startMockOpenAiTranscription } from '../../../test/helpers/mock-openai-transcription.ts';
import { frames, pushFrames, readResults, silence, speech } from '../../../test/helpers/speech-frames.ts';
import { REDACTED_PATHS } from '../../lib/logger.ts';
import { DeepgramStt } from '../providers/deepgram/stt.ts';
import { OpenAiCompatibleStt } from '../providers/openai-compatible/stt.ts';
import type { ResilienceEvent } from '../providers/resilience.ts';
import { ScriptedStt } from '../providers/scripted/stt.ts';
import { SttError } from './errors.ts';
import { ResilientStt } from './resilient-stt.ts';
import type { SttOpenOptions } from './types.ts';

const OPEN: SttOpenOptions = { language: 'es', sampleRate: 8000, interimResults: true };
const UNO = 'Quería cambiar la dirección de entrega.';
const DOS = 'Calle Mayor, número diez.';

function capturingLogger() {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => void (lines.push(String(chunk)), done()) });
  return { logger: pino({ level: 'warn', redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, sink), text: () => lines.join('') };
}

describe('ResilientStt', () => {
  let deepgram: MockDeepgramServer;
  let uno: Int16Array;
  let dos: Int16Array;
  before(async () => {
    deepgram = await startMockDeepgram();
    [uno, dos] = await Promise.all([speech(UNO), speech(DOS)]);
  });
  after(() => deepgram.close());

  const dg = (options: { apiKey?: string; finalizeGraceMs?: number } = {}) =>
    new DeepgramStt({ apiKey: options.apiKey ?? deepgram.apiKey, baseUrl: deepgram.baseUrl, finalizeGraceMs: options.finalizeGraceMs });

  test('healthy primary: one live connection, interims then one final per flush, stream-time spans, graceful close', async () => {
    deepgram.addTexts(UNO, DOS);
    const before = deepgram.connections.length;
    const stream = new ResilientStt([dg(), new ScriptedStt(['nunca'])]).open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(silence(100), uno, silence(200)));
    stream.flush();
    const first = await results.untilFinal();
    await pushFrames(stream, frames(dos, silence(100)));
    stream.flush();
    const second = await results.untilFinal();
    await stream.close();
    assert.deepEqual(await results.rest(), []);

    assert.deepEqual([first.final.text, second.final.text], [UNO, DOS]);
    assert.ok(first.interims.length > 0 && second.interims.length > 0, 'interims pass through');
    assert.equal(first.final.provider, 'deepgram:nova-3');
    assert.ok(first.final.latencyMs! < 500);
    assert.equal(deepgram.connections.length - before, 1, 'one connection for the whole stream');
    const connection = deepgram.connections.at(-1)!;
    await connection.closed;
    assert.deepEqual(connection.controls.map((c) => c.type), ['Finalize', 'Finalize', 'CloseStream']);
    assert.equal(connection.closeCode, 1000);
  });

  test('a refused primary falls back to the scripted provider, which then keeps the call (no reconnect storm)', async () => {
    const events: ResilienceEvent[] = [];
    const scripted = new ScriptedStt([UNO, DOS], { shared: true });
    const before = deepgram.connections.length;
    const stream = new ResilientStt([dg({ apiKey: 'wrong-key' }), scripted], { onEvent: (e) => events.push(e) }).open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(uno, silence(100)));
    stream.flush();
    const first = await results.untilFinal();
    await pushFrames(stream, frames(dos, silence(100)));
    stream.flush();
    const second = await results.untilFinal();
    await stream.close();

    assert.deepEqual([first.final.text, first.final.provider, first.final.error], [UNO, 'scripted', undefined]);
    assert.deepEqual([second.final.text, second.final.provider], [DOS, 'scripted']);
    assert.deepEqual(second.interims.map((r) => r.text), ['Calle'], 'the scripted provider now runs live: its interims come through');
    assert.deepEqual(events.map((e) => (e.type === 'fallback' ? `fallback ${e.to}` : `failed ${(e.error as SttError).code}`)), ['failed auth', 'fallback scripted']);
    // The live connection and the one retry with the kept audio; nothing after the scripted provider took over.
    assert.equal(deepgram.connections.length - before, 2);
    assert.ok(deepgram.connections.slice(before).every((c) => c.refused));
    assert.deepEqual(scripted.heard.map((h) => h.text), [UNO, DOS]);
  });

  test('a live connection lost while awaiting the final: retried on a fresh connection with the kept audio', async () => {
    deepgram.addTexts(UNO, UNO, DOS); // the lost connection heard UNO too
    deepgram.nextConnections({ dropOnFinalize: true });
    const before = deepgram.connections.length;
    const events: ResilienceEvent[] = [];
    const stream = new ResilientStt([dg()], { onEvent: (e) => events.push(e) }).open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    const utterance = frames(silence(100), uno, silence(200));
    await pushFrames(stream, utterance);
    stream.flush();
    const first = await results.untilFinal();
    await pushFrames(stream, frames(dos, silence(100)));
    stream.flush();
    const second = await results.untilFinal();
    await stream.close();

    assert.deepEqual([first.final.text, first.final.error, second.final.text], [UNO, undefined, DOS]);
    assert.ok(second.interims.length > 0, 'a new live connection was opened once the retry succeeded');
    const utteranceBytes = utterance.reduce((n, f) => n + f.length * 2, 0);
    const [lost, retry, relive] = deepgram.connections.slice(before);
    assert.deepEqual([lost.audioBytes, retry.audioBytes], [utteranceBytes, utteranceBytes], 'the retry was given the whole utterance');
    assert.deepEqual(retry.controls.map((c) => c.type), ['Finalize'], 'one-shot: finalised, then dropped once answered');
    assert.equal(relive.audioBytes, (dos.length + 800) * 2, 'the new live connection carries the next utterance');
    assert.equal(deepgram.connections.length - before, 3);
    assert.deepEqual(events.map((e) => (e.type === 'attempt_failed' ? [e.type, (e.error as SttError).code, e.retryInMs] : [e.type])), [['attempt_failed', 'network', 200]]);
    // Spans are in the stream's time whichever connection produced them.
    assert.equal(first.final.startMs, 0);
    assert.ok(Math.abs(second.final.startMs! - utteranceBytes / 16) < 1, `second starts where the first utterance ended (${second.final.startMs})`);
  });

  test('a live connection lost mid-utterance: its audio was kept, the final comes from a fresh connection', async () => {
    deepgram.addTexts(UNO, UNO);
    deepgram.nextConnections({ dropAfterAudioMs: 1000 });
    const before = deepgram.connections.length;
    const stream = new ResilientStt([dg()]).open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    const utterance = frames(uno, silence(200));
    await pushFrames(stream, utterance);
    stream.flush();
    const { final } = await results.untilFinal();
    await stream.close();
    assert.deepEqual([final.text, final.error], [UNO, undefined]);
    const [lost, retry] = deepgram.connections.slice(before);
    assert.ok(lost.audioBytes < 1000 * 16 + 400, 'the first connection died after ~1 s of audio');
    assert.equal(retry.audioBytes, utterance.reduce((n, f) => n + f.length * 2, 0));
  });

  test('a primary that never answers is abandoned after finalTimeoutMs; the fallback answers from the kept audio', async () => {
    deepgram.addTexts(UNO);
    deepgram.nextConnections({ ignoreFinalize: true });
    const before = deepgram.connections.length;
    const stream = new ResilientStt([dg({ finalizeGraceMs: 60_000 }), new ScriptedStt([UNO])], { finalTimeoutMs: 300 }).open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(uno, silence(100)));
    stream.flush();
    const { final } = await results.untilFinal();
    assert.deepEqual([final.text, final.provider], [UNO, 'scripted']);
    assert.ok(final.latencyMs! >= 295 && final.latencyMs! < 800, `latency ${final.latencyMs}`);
    const stalled = deepgram.connections[before];
    await stalled.closed;
    assert.ok(stalled.closedAt! - stalled.openedAt < 5000, 'the stalled connection was closed, not left open');
    await stream.close();
  });

  test('when no provider can transcribe an utterance its final is empty with the error, and the stream goes on', async () => {
    const server = await startMockOpenAiTranscription({ texts: [DOS] });
    try {
      server.reply({ status: 400, errorBody: { error: { message: 'model not found' } } });
      const stream = new ResilientStt([new OpenAiCompatibleStt({ baseUrl: server.baseUrl, model: 'whisper-1' })]).open(OPEN, new AbortController().signal);
      const results = readResults(stream.results());
      await pushFrames(stream, frames(uno), { everyMs: 0 });
      stream.flush();
      const failed = await results.untilFinal();
      await pushFrames(stream, frames(dos), { everyMs: 0 });
      stream.flush();
      const next = await results.untilFinal();
      await stream.close();
      assert.equal(failed.final.text, '');
      assert.ok(failed.final.error instanceof SttError && failed.final.error.code === 'bad_request');
      assert.deepEqual([next.final.text, next.final.error], [DOS, undefined]);
      assert.equal(server.requests.length, 2, 'a bad request is not retried');
    } finally {
      await server.close();
    }
  });

  test('abort: results() throws aborted at once and the live connection is cut', async () => {
    deepgram.addTexts(UNO);
    const controller = new AbortController();
    const stream = new ResilientStt([dg()]).open(OPEN, controller.signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(uno.subarray(0, 8000)));
    await results.next();
    const connection = deepgram.connections.at(-1)!;
    const abortedAt = performance.now();
    controller.abort();
    await assert.rejects(results.next(), (e: unknown) => e instanceof SttError && e.code === 'aborted');
    await connection.closed;
    assert.ok(connection.closedAt! - abortedAt < 250, `closed ${connection.closedAt! - abortedAt} ms after abort`);
    await stream.close();
  });

  test('failures are logged with provider and code, never the key, even when the vendor echoes it', async () => {
    const { logger, text } = capturingLogger();
    const deepgramKey = 'dg-secret-0123456789abcdef';
    const openaiKey = 'sk-secret-0123456789abcdef';
    const transcription = await startMockOpenAiTranscription({ requireKey: 'another-key' });
    try {
      const stt = new ResilientStt([
        new DeepgramStt({ apiKey: deepgramKey, baseUrl: deepgram.baseUrl }),
        new OpenAiCompatibleStt({ baseUrl: transcription.baseUrl, apiKey: openaiKey, model: 'whisper-1' }),
      ], { logger });
      const stream = stt.open(OPEN, new AbortController().signal);
      const results = readResults(stream.results());
      await pushFrames(stream, frames(dos), { everyMs: 0 });
      stream.flush();
      const { final } = await results.untilFinal();
      await stream.close();
      assert.equal(final.error?.code, 'auth');
      logger.warn({ stt: { provider: 'deepgram', apiKey: deepgramKey } }, 'settings');
      const log = text();
      assert.match(log, /STT attempt failed/);
      assert.match(log, /STT live stream failed/);
      assert.match(log, /"code":"auth"/);
      assert.match(log, /Invalid credentials: \[redacted\]/, 'the echoed key was scrubbed from the vendor message');
      assert.ok(!log.includes(deepgramKey) && !log.includes(openaiKey), log);
    } finally {
      await transcription.close();
    }
  });
});
