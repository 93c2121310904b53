import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frameSipStream } from './stream-framing.ts';

const options = (body = '') =>
  `OPTIONS sip:habla@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\n` +
  `To: <sip:habla@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe('frameSipStream', () => {
  it('finds a whole message, and only its bytes, when more follow', () => {
    const first = options('v=0\r\n');
    const frame = frameSipStream(Buffer.from(first + options()));
    assert.deepEqual(frame, { kind: 'message', length: Buffer.byteLength(first) });
  });

  it('waits for the rest of a header section or of a body', () => {
    const whole = options('hello');
    for (const cut of [1, 20, whole.indexOf('\r\n\r\n') + 2, whole.length - 1]) {
      assert.deepEqual(frameSipStream(Buffer.from(whole.slice(0, cut))), { kind: 'incomplete' }, `cut at ${cut}`);
    }
  });

  it('answers a double CRLF as a keep-alive ping and drops lone line ends', () => {
    assert.deepEqual(frameSipStream(Buffer.from('\r\n\r\nOPTIONS')), { kind: 'ping', length: 4 });
    assert.deepEqual(frameSipStream(Buffer.from('\r\nOPTIONS')), { kind: 'skip', length: 2 });
    assert.deepEqual(frameSipStream(Buffer.from('\r\n')), { kind: 'incomplete' }, 'may be the first half of a ping');
    assert.deepEqual(frameSipStream(Buffer.from('\n\n\n\n\n')), { kind: 'skip', length: 5 });
  });

  it('calls a stream invalid when a message cannot be cut out of it', () => {
    const noLength = 'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n';
    assert.deepEqual(frameSipStream(Buffer.from(noLength)), { kind: 'invalid', reason: 'missing_content_length' });
    assert.equal(frameSipStream(Buffer.from('\x00\xffgarbage\r\n\r\n')).kind, 'invalid');
    assert.deepEqual(frameSipStream(Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nX: ${'a'.repeat(2000)}`), 1000), { kind: 'invalid', reason: 'too_large' });
    const huge = options().replace(/Content-Length: 0/, 'Content-Length: 9999999');
    assert.equal(frameSipStream(Buffer.from(huge)).kind, 'invalid', 'a body over the size limit is refused before it arrives');
  });
});
