import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMockDeepgram, type MockDeepgramServer } from '../../../../test/helpers/mock-deepgram-server.ts';
import { frames, pushFrames, readResults, silence, speech } from '../../../../test/helpers/speech-frames.ts';
import { SttError } from '../../stt/errors.ts';
import type { SttOpenOptions } from '../../stt/types.ts';
import { DeepgramStt, deepgramListenUrl, type DeepgramSttOptions } from './stt.ts';

const OPEN: SttOpenOptions = { language: 'es', sampleRate: 8000, interimResults: true };
const HOLA = 'Hola, quería saber el estado de mi pedido.';
const NUMERO = 'El número es cuatro cinco seis.';

describe('DeepgramStt against a local Deepgram /v1/listen', () => {
  let server: MockDeepgramServer;
  let hola: Int16Array;
  let numero: Int16Array;
  before(async () => {
    server = await startMockDeepgram();
    [hola, numero] = await Promise.all([speech(HOLA), speech(NUMERO)]);
  });
  after(() => server.close());

  const provider = (options: Partial<DeepgramSttOptions> = {}) => new DeepgramStt({ apiKey: server.apiKey, baseUrl: server.baseUrl, ...options });

  test('speech in, text out: interims while the caller speaks, one final per flush, in order', async () => {
    server.addTexts(HOLA, NUMERO);
    const stream = provider().open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(silence(200), hola, silence(300)));
    stream.flush();
    const first = await results.untilFinal();
    await pushFrames(stream, frames(numero, silence(200)));
    stream.flush();
    const second = await results.untilFinal();
    await stream.close();
    assert.deepEqual(await results.rest(), [], 'nothing after the last final; results() ends on close');

    assert.equal(first.final.text, HOLA);
    assert.equal(second.final.text, NUMERO);
    assert.ok(first.interims.length >= 2, `interims before the first final (${first.interims.length})`);
    for (const interim of first.interims) {
      assert.equal(interim.type, 'interim');
      assert.ok(HOLA.startsWith(interim.text), `an interim is a prefix of the utterance: "${interim.text}"`);
    }
    assert.equal(first.final.provider, 'deepgram:nova-3');
    assert.ok(first.final.confidence! > 0.9);
    // Timing is in stream audio: the first utterance begins after 200 ms of silence and ends before the second.
    assert.equal(first.final.startMs, 0, 'a Deepgram piece starts where the previous final ended');
    assert.ok(second.final.startMs! >= first.final.endMs! - 1);
    for (const final of [first.final, second.final]) assert.ok(final.latencyMs! >= 0 && final.latencyMs! < 500, `latency ${final.latencyMs}`);

    const connection = server.connections.at(-1)!;
    assert.equal(connection.headers.authorization, `Token ${server.apiKey}`);
    const q = connection.url.searchParams;
    assert.deepEqual(
      ['encoding', 'sample_rate', 'channels', 'language', 'interim_results', 'endpointing', 'model', 'smart_format', 'punctuate'].map((k) => q.get(k)),
      ['linear16', '8000', '1', 'es', 'true', 'false', 'nova-3', 'true', 'true'],
    );
    const pushedBytes = (hola.length + numero.length + silence(700).length) * 2;
    assert.equal(connection.audioBytes, pushedBytes, 'every sample arrives, as binary linear16');
    assert.deepEqual(connection.controls.map((c) => c.type), ['Finalize', 'Finalize', 'CloseStream']);
    await connection.closed;
    assert.equal(connection.closeCode, 1000);
    assert.equal(connection.sent.at(-1)?.type, 'Metadata');
  });

  test('flush latency: the final arrives when Deepgram answers the Finalize, and says how long that took', async () => {
    server.addTexts('Sí.');
    server.nextConnections({ finalizeDelayMs: 150 });
    const stream = provider().open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(await speech('Sí.'), silence(100)));
    const flushedAt = performance.now();
    stream.flush();
    const { final } = await results.untilFinal();
    const waited = performance.now() - flushedAt;
    assert.equal(final.text, 'Sí.');
    assert.ok(final.latencyMs! >= 145 && final.latencyMs! <= waited + 1, `latencyMs ${final.latencyMs} vs waited ${waited}`);
    await stream.close();
  });

  test('a flush with no new audio is final at once, without a Finalize Deepgram might never answer', async () => {
    const stream = provider().open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    stream.flush();
    const { final, interims } = await results.untilFinal();
    assert.deepEqual(interims, []);
    assert.equal(final.text, '');
    assert.ok(final.latencyMs! >= 0); // no round trip: the server never saw a Finalize (below)
    await stream.close();
    assert.deepEqual(server.connections.at(-1)!.controls.map((c) => c.type), ['CloseStream']);
  });

  test('an unanswered Finalize: after the grace period the final holds what was heard so far', async () => {
    server.addTexts(HOLA);
    server.nextConnections({ ignoreFinalize: true });
    const stream = provider({ finalizeGraceMs: 200 }).open(OPEN, new AbortController().signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(hola));
    stream.flush();
    const { final, interims } = await results.untilFinal();
    assert.ok(interims.length > 0);
    assert.equal(final.text, interims.at(-1)!.text, 'the last interim is the best transcript there is');
    assert.ok(final.latencyMs! >= 195 && final.latencyMs! < 400, `latency ${final.latencyMs}`);
    await stream.close();
  });

  test('aborting closes the socket at once and results() throws aborted', async () => {
    server.addTexts(HOLA);
    const controller = new AbortController();
    const stream = provider().open(OPEN, controller.signal);
    const results = readResults(stream.results());
    await pushFrames(stream, frames(hola.subarray(0, 8000)));
    await results.next(); // an interim: the connection is up and streaming
    const connection = server.connections.at(-1)!;
    const abortedAt = performance.now();
    controller.abort();
    await assert.rejects(results.next(), (e: unknown) => e instanceof SttError && e.code === 'aborted');
    await connection.closed;
    assert.ok(connection.closedAt! - abortedAt < 250, `server saw the close ${connection.closedAt! - abortedAt} ms after abort`);
    assert.ok(!connection.controls.some((c) => c.type === 'CloseStream'), 'abort does not wait for a graceful close');
    await stream.close(); // idempotent after abort
  });

  test('abort while connecting cancels the handshake', async () => {
    const controller = new AbortController();
    const stream = provider().open(OPEN, controller.signal);
    controller.abort();
    await assert.rejects(readResults(stream.results()).next(), (e: unknown) => e instanceof SttError && e.code === 'aborted');
    await stream.close();
  });

  test('a refused key is a typed auth error whose message does not repeat the key', async () => {
    const secret = 'dg-wrong-key-1234567890';
    const stream = new DeepgramStt({ apiKey: secret, baseUrl: server.baseUrl }).open(OPEN, new AbortController().signal);
    stream.push(silence(20));
    const error = await readResults(stream.results()).next().then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof SttError, String(error));
    assert.equal(error.code, 'auth');
    assert.equal(error.status, 401);
    assert.equal(error.retryable, false);
    assert.match(error.message, /INVALID_AUTH/);
    assert.ok(!error.message.includes(secret), error.message);
    await stream.close();
  });

  test('HTTP refusals map to codes: 429 with Retry-After, 400, 503', async () => {
    server.nextConnections(
      { refuseStatus: 429, refuseHeaders: { 'retry-after': '2' }, refuseBody: { err_code: 'TOO_MANY_REQUESTS', err_msg: 'Too many concurrent requests' } },
      { refuseStatus: 400, refuseBody: { err_code: 'Bad Request', err_msg: 'No such model/language combination' } },
      { refuseStatus: 503 },
    );
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const stream = provider().open(OPEN, new AbortController().signal);
      codes.push(await readResults(stream.results()).next().then(() => undefined, (e: SttError) => [e.code, e.status, e.retryAfterMs]));
      await stream.close();
    }
    assert.deepEqual(codes, [['rate_limited', 429, 2000], ['bad_request', 400, undefined], ['server', 503, undefined]]);
  });

  test('a connection that drops or is closed by Deepgram mid-stream fails the stream with a retryable error', async () => {
    server.nextConnections({ dropAfterAudioMs: 200 }, { closeAfterAudioMs: 200, closeWith: { code: 1011, reason: 'NET-0000: internal error' } });
    for (const expected of ['network', 'server']) {
      const stream = provider().open(OPEN, new AbortController().signal);
      const results = readResults(stream.results());
      await pushFrames(stream, frames(hola.subarray(0, 4000)));
      const error = await results.rest().then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof SttError && error.code === expected && error.retryable, `${expected}: ${String(error)}`);
      await stream.close();
    }
  });

  test('KeepAlive goes out while the caller is quiet, so Deepgram keeps the stream open', async () => {
    const quiet = await startMockDeepgram({ idleTimeoutMs: 400 });
    try {
      const stream = new DeepgramStt({ apiKey: quiet.apiKey, baseUrl: quiet.baseUrl, keepAliveMs: 150 }).open(OPEN, new AbortController().signal);
      const results = readResults(stream.results());
      stream.push(silence(20));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const connection = quiet.connections[0];
      assert.equal(connection.closedAt, undefined, 'still open after 2.5× the idle timeout');
      const keepAlives = connection.controls.filter((c) => c.type === 'KeepAlive').length;
      assert.ok(keepAlives >= 3 && keepAlives <= 12, `${keepAlives} KeepAlives in 1 s at 150 ms`);
      await stream.close();
      assert.deepEqual(await results.rest(), []);
    } finally {
      await quiet.close();
    }
  });

  test('audio pushed while the socket connects is sent once it is up, in order, Finalize after it', async () => {
    server.addTexts('Vale.');
    const stream = provider().open(OPEN, new AbortController().signal);
    const vale = await speech('Vale.');
    for (const frame of frames(vale, silence(100))) stream.push(frame); // synchronously, before 'open'
    stream.flush();
    const { final } = await readResults(stream.results()).untilFinal();
    assert.equal(final.text, 'Vale.');
    assert.equal(server.connections.at(-1)!.audioBytes, (vale.length + 800) * 2);
    await stream.close();
  });

  test('base URL: version kept, http(s) taken as ws(s), parameters encoded; the name carries no key', () => {
    assert.equal(deepgramListenUrl('https://api.deepgram.com/v1/', { language: 'es', keyterm: 'a b' }), 'wss://api.deepgram.com/v1/listen?language=es&keyterm=a+b');
    assert.equal(deepgramListenUrl('ws://127.0.0.1:1/v1', {}), 'ws://127.0.0.1:1/v1/listen');
    assert.throws(() => new DeepgramStt({ apiKey: 'k', baseUrl: 'ftp://x/v1' }), /ws\(s\) or http\(s\)/);
    const p = new DeepgramStt({ apiKey: 'dg-secret-key', model: 'nova-2' });
    assert.equal(p.name, 'deepgram:nova-2');
    assert.ok(!JSON.stringify(p).includes('dg-secret-key'));
  });
});
