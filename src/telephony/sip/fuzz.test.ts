/**
 * Hostile input never escapes as an exception: random bytes and mutated real messages go
 * through the parser, every typed accessor, validation, the digest parsers and back out
 * through the serializer.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as accessors from './accessors.ts';
import { parseChallenge } from './digest-client.ts';
import { parseAuthorization } from './digest-server.ts';
import { INVALID } from './fixtures/rfc4475-invalid.ts';
import { VALID } from './fixtures/rfc4475.ts';
import * as realWorld from './fixtures/real-world.ts';
import { getHeaders } from './message.ts';
import { parseMessage, type ParseOptions } from './parser.ts';
import { serializeMessage } from './serializer.ts';
import { parseUri } from './uri.ts';
import { validateMessage } from './validate.ts';

const SEEDS: Buffer[] = [...Object.values(VALID), ...Object.values(INVALID).map((c) => c.message), ...Object.values(realWorld)];
const SPECIALS = [':', ';', ',', '"', '\\', '<', '>', '\r', '\n', '\r\n', ' ', '\t', '%', '\0', '@', '[', ']', '=', '?', '\xff', 'é', '\r\n ', 'Content-Length: 99999\r\n', 'v: x\r\n', 'l: -1\r\n'];

/** Runs every consumer of a parsed message; returns the parse error code, if any. */
function exercise(input: Uint8Array, options?: ParseOptions): string | undefined {
  const r = parseMessage(input, options);
  if (!r.ok) return r.error.code;
  for (const get of Object.values(accessors)) get(r.value);
  validateMessage(r.value);
  if (r.value.kind === 'request') parseUri(r.value.uri);
  for (const name of ['WWW-Authenticate', 'Proxy-Authenticate']) getHeaders(r.value, name).forEach(parseChallenge);
  for (const name of ['Authorization', 'Proxy-Authorization']) getHeaders(r.value, name).forEach(parseAuthorization);
  // Whatever we accepted we can write back, and it reads the same.
  const again = parseMessage(serializeMessage(r.value), { maxMessageBytes: 1 << 20 });
  assert.ok(again.ok, again.ok ? '' : again.error.message);
  assert.deepEqual(again.value.body, r.value.body);
  return undefined;
}

const mutated = fc.tuple(fc.constantFrom(...SEEDS), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.constantFrom(...SPECIALS)), { minLength: 1, maxLength: 6 }))
  .map(([seed, edits]) => {
    let text = seed.toString('latin1');
    for (const [at, remove, insert] of edits) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + insert + text.slice(i + remove);
    }
    return Buffer.from(text, 'latin1');
  });

describe('SIP fuzzing', () => {
  it('random bytes never throw, in datagram and stream mode', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
      assert.notEqual(exercise(bytes), 'internal');
      assert.notEqual(exercise(bytes, { transport: 'stream' }), 'internal');
    }), { numRuns: 1500 });
  });

  it('random printable text shaped like SIP never throws', () => {
    const line = fc.stringMatching(/^[ -~\t]{0,60}$/);
    fc.assert(fc.property(fc.constantFrom('INVITE sip:a@b SIP/2.0', 'SIP/2.0 200 OK', 'BYE sips:[::1]:5061 SIP/2.0'), fc.array(line, { maxLength: 30 }), (start, lines) => {
      assert.notEqual(exercise(Buffer.from([start, ...lines, '', ''].join('\r\n'))), 'internal');
    }), { numRuns: 1500 });
  });

  it('mutated torture and real-world messages never throw', () => {
    fc.assert(fc.property(mutated, (bytes) => {
      assert.notEqual(exercise(bytes), 'internal');
      assert.notEqual(exercise(bytes, { transport: 'stream' }), 'internal');
    }), { numRuns: 3000 });
  });

  it('every prefix of a real message either parses or reports a framing error', () => {
    const full = realWorld.baresipInvite;
    for (let n = 0; n <= full.length; n++) {
      const code = exercise(full.subarray(0, n));
      assert.notEqual(code, 'internal');
      const streamed = parseMessage(full.subarray(0, n), { transport: 'stream' });
      if (n < full.length) assert.equal(!streamed.ok && streamed.error.code, 'incomplete', `prefix ${n}`);
      else assert.ok(streamed.ok);
    }
  });

  it('oversized and pathological inputs are refused quickly', () => {
    const started = performance.now();
    for (const input of [
      Buffer.alloc(1 << 20, 'a'),
      Buffer.from(`INVITE sip:a@b SIP/2.0\r\n${'Via: x\r\n'.repeat(100_000)}\r\n`),
      Buffer.from(`INVITE sip:a@b SIP/2.0\r\nContact: ${'"'.repeat(60_000)}\r\n\r\n`),
      Buffer.from(`INVITE sip:a@b SIP/2.0\r\nX: ${'<'.repeat(60_000)}\r\n\r\n`),
      Buffer.from(`INVITE sip:a@b SIP/2.0\r\nVia: ${'SIP/2.0/UDP h;'.repeat(500)}\r\n\r\n`),
    ]) {
      assert.notEqual(exercise(input), 'internal');
      assert.notEqual(exercise(input, { transport: 'stream' }), 'internal');
    }
    assert.ok(performance.now() - started < 2000, 'no quadratic blow-up');
  });
});
