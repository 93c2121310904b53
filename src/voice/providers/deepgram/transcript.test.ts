import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeepgramTranscript, type DeepgramResults } from './transcript.ts';

const RATE = 8000;
const results = (start: number, end: number, transcript: string, flags: Partial<DeepgramResults> = {}): DeepgramResults => ({
  type: 'Results', start, duration: end - start, is_final: false, channel: { alternatives: [{ transcript, confidence: 0.9 }] }, ...flags,
});
const final = (start: number, end: number, text: string, flags: Partial<DeepgramResults> = {}) => results(start, end, text, { is_final: true, ...flags });
const seconds = (s: number) => s * RATE;

function transcript(interimResults = true) {
  return new DeepgramTranscript({ sampleRate: RATE, interimResults, provider: 'deepgram:test' });
}

describe('DeepgramTranscript (the protocol bookkeeping, no socket)', () => {
  test('interims are cumulative: finalised pieces plus the current hypothesis', () => {
    const t = transcript();
    t.sent(seconds(3));
    assert.deepEqual(t.results(results(0, 1, 'hola'), 1).map((r) => [r.type, r.text]), [['interim', 'hola']]);
    assert.deepEqual(t.results(final(0, 1.5, 'Hola, buenas.'), 2).map((r) => r.text), ['Hola, buenas.']);
    assert.deepEqual(t.results(results(1.5, 2.5, 'quería'), 3).map((r) => r.text), ['Hola, buenas. quería']);
    assert.deepEqual(t.results(results(1.5, 2.6, 'quería'), 4), [], 'an unchanged hypothesis is not repeated');
    assert.deepEqual(t.results(results(1.5, 2.7, ''), 5).map((r) => r.text), ['Hola, buenas.'], 'a withdrawn hypothesis is a revision too');
  });

  test('Finalize: the from_finalize answer completes the utterance with every piece, timed and with latency', () => {
    const t = transcript();
    t.sent(seconds(3));
    t.results(final(0, 1.5, 'Hola, buenas.'), 0);
    const flush = t.flush(100);
    assert.equal(flush.finalize, true);
    assert.equal(flush.point, 3);
    assert.deepEqual(flush.results, []);
    const [r, ...rest] = t.results(final(1.5, 3, 'Quería saber.', { from_finalize: true }), 130);
    assert.deepEqual(rest, []);
    assert.deepEqual(r, { type: 'final', text: 'Hola, buenas. Quería saber.', latencyMs: 30, provider: 'deepgram:test', confidence: 0.9, startMs: 0, endMs: 3000 });
  });

  test('no Finalize is needed when the finalised pieces already reach the flush point', () => {
    const t = transcript();
    t.sent(seconds(2));
    t.results(final(0, 1.98, 'Sí.'), 0);
    const flush = t.flush(10);
    assert.equal(flush.finalize, false);
    assert.deepEqual(flush.results.map((r) => [r.text, r.latencyMs]), [['Sí.', 0]]);
    const empty = t.flush(20);
    assert.equal(empty.finalize, false, 'nothing sent since: an empty utterance');
    assert.deepEqual(empty.results.map((r) => r.text), ['']);
  });

  test('a result about later audio completes an utterance whose Finalize got no answer', () => {
    const t = transcript();
    t.sent(seconds(2));
    t.results(results(0, 2, 'vale'), 0);
    assert.equal(t.flush(0).finalize, true);
    t.sent(seconds(2));
    const out = t.results(results(2, 3, 'otra'), 50);
    assert.deepEqual(out.map((r) => [r.type, r.text]), [['final', 'vale'], ['interim', 'otra']]);
  });

  test('expire(): the grace period ends an unanswered Finalize with the last hypothesis; a late piece is dropped', () => {
    const t = transcript();
    t.sent(seconds(2));
    t.results(results(0, 1.8, 'de acuerdo'), 0);
    const { point } = t.flush(0);
    assert.deepEqual(t.expire(point, 1000).map((r) => [r.text, r.latencyMs]), [['de acuerdo', 1000]]);
    assert.deepEqual(t.results(final(0, 2, 'De acuerdo.', { from_finalize: true }), 1100), [], 'belongs to a finished utterance');
    t.sent(seconds(1));
    t.flush(1200);
    assert.deepEqual(t.results(final(2, 3, 'Gracias.', { from_finalize: true }), 1250).map((r) => r.text), ['Gracias.'], 'not glued to the late piece');
  });

  test('two flushes in flight are answered in order, each with its own audio', () => {
    const t = transcript();
    t.sent(seconds(1));
    t.flush(0);
    t.sent(seconds(1));
    t.flush(10);
    assert.equal(t.pendingFlushes, 2);
    const first = t.results(final(0, 1, 'Uno.', { from_finalize: true }), 40);
    const second = t.results(final(1, 2, 'Dos.', { from_finalize: true }), 60);
    assert.deepEqual([...first, ...second].map((r) => [r.text, r.latencyMs, r.startMs]), [['Uno.', 40, 0], ['Dos.', 50, 1000]]);
    assert.equal(t.pendingFlushes, 0);
  });

  test('no interims after flush (they would describe audio already finalising) nor when they were not asked for', () => {
    const t = transcript();
    t.sent(seconds(1));
    t.flush(0);
    assert.deepEqual(t.results(results(0, 0.9, 'casi'), 1), []);
    const quiet = transcript(false);
    quiet.sent(seconds(1));
    assert.deepEqual(quiet.results(results(0, 0.9, 'casi'), 1), []);
  });

  test('drain(): the server closed after CloseStream; what is pending is final with what arrived', () => {
    const t = transcript();
    t.sent(seconds(1));
    t.results(final(0, 0.5, 'Adiós.'), 0);
    t.flush(0);
    assert.deepEqual(t.drain(5).map((r) => r.text), ['Adiós.']);
  });
});
