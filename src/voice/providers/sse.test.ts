import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SseParser, type SseEvent } from './sse.ts';

const STREAM = [
  ': keep-alive',
  '',
  'data: {"text":"Hola, señor Muñoz"}',
  '',
  'event: error',
  'data: line one',
  'data:line two',
  'id: 7',
  '',
  'retry: 1000',
  'unknown: field',
  'data',
  '',
  'data: [DONE]',
  '',
  '',
].join('\n');

const EXPECTED: SseEvent[] = [
  { event: 'message', data: '{"text":"Hola, señor Muñoz"}', id: undefined },
  { event: 'error', data: 'line one\nline two', id: '7' },
  { event: 'message', data: '', id: '7' },
  { event: 'message', data: '[DONE]', id: '7' },
];

function parseAll(pieces: Uint8Array[]): SseEvent[] {
  const parser = new SseParser();
  return [...pieces.flatMap((piece) => parser.push(piece)), ...parser.end()];
}

test('whole stream: comments skipped, multi-line data joined, named events, ids carried, empty data dispatched', () => {
  assert.deepEqual(parseAll([Buffer.from(STREAM)]), EXPECTED);
});

for (const [name, eol] of [['LF', '\n'], ['CRLF', '\r\n'], ['CR', '\r']] as const) {
  test(`${name} line ends, split at every byte boundary (inside UTF-8 sequences and CRLF pairs too)`, () => {
    const bytes = Buffer.from(STREAM.replaceAll('\n', eol));
    for (let at = 0; at <= bytes.length; at++) {
      assert.deepEqual(parseAll([bytes.subarray(0, at), bytes.subarray(at)]), EXPECTED, `split at byte ${at}`);
    }
    assert.deepEqual(parseAll([...bytes].map((b) => Uint8Array.of(b))), EXPECTED, 'one byte at a time');
  });
}

test('an event not terminated by a blank line is dropped at end of stream', () => {
  assert.deepEqual(parseAll([Buffer.from('data: a\n\ndata: cut off')]), [{ event: 'message', data: 'a', id: undefined }]);
});

test('events are returned as soon as their blank line arrives, not at end of stream', () => {
  const parser = new SseParser();
  assert.deepEqual(parser.push('data: first\n'), []);
  assert.deepEqual(parser.push('\ndata: sec'), [{ event: 'message', data: 'first', id: undefined }]);
  assert.deepEqual(parser.push('ond\n\n'), [{ event: 'message', data: 'second', id: undefined }]);
});
