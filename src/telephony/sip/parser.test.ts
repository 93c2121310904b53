import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { wire } from './fixtures/wire.ts';
import { getHeader, getHeaders, type SipMessage } from './message.ts';
import { parseMessage, type ParseResult } from './parser.ts';
import { serializeMessage, SipSerializeError } from './serializer.ts';

const HEAD = `OPTIONS sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa1
From: <sip:alice@example.com>;tag=1
To: <sip:bob@example.com>
Call-ID: abc@192.0.2.1
CSeq: 1 OPTIONS
Max-Forwards: 70
`;

function ok(r: ParseResult): SipMessage {
  assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r.value;
}
function code(r: ParseResult): string | undefined {
  return r.ok ? undefined : r.error.code;
}

describe('SIP parser: headers', () => {
  it('looks headers up by any case and by compact form, and canonicalises their names', () => {
    const m = ok(parseMessage(wire(`${HEAD}i: other\nc: application/sdp\nuser-agent: x\n\n`)));
    assert.equal(getHeader(m, 'call-id'), 'abc@192.0.2.1');
    assert.deepEqual(getHeaders(m, 'i'), ['abc@192.0.2.1', 'other']);
    assert.equal(getHeader(m, 'CONTENT-TYPE'), 'application/sdp');
    assert.ok(m.headers.some((h) => h.name === 'Content-Type'));
    assert.ok(m.headers.some((h) => h.name === 'User-Agent'));
  });

  it('maps every compact form in RFC 3261 and the extensions we meet', () => {
    const pairs = { i: 'Call-ID', m: 'Contact', e: 'Content-Encoding', l: 'Content-Length', c: 'Content-Type', f: 'From', s: 'Subject', k: 'Supported', t: 'To', v: 'Via', o: 'Event', r: 'Refer-To', b: 'Referred-By', x: 'Session-Expires', u: 'Allow-Events' };
    for (const [short, long] of Object.entries(pairs)) {
      assert.equal(getHeader({ headers: [{ name: long, value: 'x' }] }, short.toUpperCase()), 'x', short);
    }
  });

  it('splits comma lists outside quotes and angle brackets, keeping order across repeated lines', () => {
    const m = ok(parseMessage(wire(`${HEAD}Contact: "Doe, John" <sip:j@a.example;x=1>;q=0.5, <sip:k@b.example>\nRoute: <sip:p1.example;lr>, <sip:p2.example;lr>\nRoute: <sip:p3.example;lr>\nAllow: INVITE, ACK,BYE ,\nWWW-Authenticate: Digest realm="a, b", nonce="n"\n\n`)));
    assert.deepEqual(getHeaders(m, 'Contact'), ['"Doe, John" <sip:j@a.example;x=1>;q=0.5', '<sip:k@b.example>']);
    assert.deepEqual(getHeaders(m, 'Route'), ['<sip:p1.example;lr>', '<sip:p2.example;lr>', '<sip:p3.example;lr>']);
    assert.deepEqual(getHeaders(m, 'Allow'), ['INVITE', 'ACK', 'BYE']);
    assert.deepEqual(getHeaders(m, 'WWW-Authenticate'), ['Digest realm="a, b", nonce="n"'], 'auth headers are never split');
  });

  it('unfolds continuation lines with a single space', () => {
    const m = ok(parseMessage(wire(`${HEAD}Subject: one\n  two\n\tthree\n\n`)));
    assert.equal(getHeader(m, 'Subject'), 'one two three');
  });

  it('accepts bare LF line endings and CRLF keep-alives before the start line', () => {
    const m = ok(parseMessage(Buffer.from(`\r\n\r\n${HEAD}\n`)));
    assert.equal(m.kind === 'request' && m.method, 'OPTIONS');
    assert.equal(code(parseMessage(Buffer.from('\r\n\r\n'))), 'empty');
  });

  it('rejects header lines without a name or colon', () => {
    assert.equal(code(parseMessage(wire(`${HEAD}no colon here\n\n`))), 'bad_header');
    assert.equal(code(parseMessage(wire(`${HEAD}: empty name\n\n`))), 'bad_header');
    assert.equal(code(parseMessage(wire(`${HEAD}Bad Name: x\n\n`))), 'bad_header');
  });
});

describe('SIP parser: start line', () => {
  it('keeps methods case-sensitive: "invite" is an extension method, not INVITE', () => {
    const m = ok(parseMessage(wire(`${HEAD.replace('OPTIONS sip', 'invite sip')}\n`)));
    assert.equal(m.kind === 'request' && m.method, 'invite');
  });

  it('accepts a lowercase "sip/2.0" version token and any absolute Request-URI scheme', () => {
    assert.ok(parseMessage(wire(`${HEAD.replace('SIP/2.0\n', 'sip/2.0\n')}\n`)).ok);
    assert.ok(parseMessage(wire(`${HEAD.replace('sip:bob@example.com SIP', 'urn:service:sos SIP')}\n`)).ok);
  });

  it('refuses malformed start lines', () => {
    for (const line of ['OPTIONS sip:bob@example.com', 'OPTIONS sip:bob@ SIP/2.0', 'OPTIONS bob SIP/2.0', 'SIP/2.0 99 Low', 'SIP/2.0 700 High', 'SIP/2.0 20 OK', 'SIP/2.0  200 OK', 'HTTP/1.1 200 OK', 'OPT<IONS sip:a@b SIP/2.0']) {
      const r = parseMessage(wire(`${line}\n${HEAD.split('\n').slice(1).join('\n')}\n`));
      assert.equal(code(r), 'bad_start_line', line);
    }
    assert.equal(code(parseMessage(wire(`SIP/3.0 200 OK\n${HEAD.split('\n').slice(1).join('\n')}\n`))), 'unsupported_version');
  });

  it('parses a response status line', () => {
    const m = ok(parseMessage(wire(`SIP/2.0 486 Busy Here\n${HEAD.split('\n').slice(1).join('\n')}\n`)));
    assert.deepEqual(m.kind === 'response' && [m.status, m.reason], [486, 'Busy Here']);
  });
});

describe('SIP parser: Content-Length framing', () => {
  it('UDP: truncates a body longer than Content-Length', () => {
    const m = ok(parseMessage(wire(`${HEAD}Content-Length: 4\n\n`, 'abcdEXTRA')));
    assert.equal(m.body.toString(), 'abcd');
  });

  it('UDP: a body shorter than Content-Length is an error', () => {
    assert.equal(code(parseMessage(wire(`${HEAD}Content-Length: 40\n\n`, 'abcd'))), 'body_truncated');
  });

  it('UDP: without Content-Length the body is the rest of the datagram', () => {
    assert.equal(ok(parseMessage(wire(HEAD + '\n', 'v=0\n'))).body.toString(), 'v=0\r\n');
  });

  it('counts bytes, not characters', () => {
    const m = ok(parseMessage(wire(`${HEAD}Content-Length: {CL}\n\n`, 'ñandú')));
    assert.equal(m.body.toString('utf8'), 'ñandú');
  });

  it('refuses non-numeric, signed, huge or conflicting Content-Length values', () => {
    for (const v of ['abc', '-1', '+5', '99999999999999999999', '1e3', '']) {
      assert.equal(code(parseMessage(wire(`${HEAD}Content-Length: ${v}\n\n`))), 'bad_content_length', v);
    }
    assert.ok(parseMessage(wire(`${HEAD}Content-Length: 0\nl: 0\n\n`)).ok, 'agreeing duplicates are harmless');
  });

  it('a datagram cut inside the headers is truncated; one ending right after the last header is accepted', () => {
    assert.equal(code(parseMessage(Buffer.from(HEAD.slice(0, 60)))), 'truncated');
    assert.ok(parseMessage(Buffer.from(HEAD.replace(/\n/g, '\r\n'))).ok);
  });

  it('stream: frames back-to-back messages and asks for more when incomplete', () => {
    const one = wire(`${HEAD}Content-Length: 3\n\n`, 'abc');
    const two = wire(`${HEAD.replace('CSeq: 1', 'CSeq: 2')}Content-Length: 0\n\n`);
    const both = Buffer.concat([one, two]);
    const first = parseMessage(both, { transport: 'stream' });
    assert.ok(first.ok);
    assert.equal(first.consumed, one.length);
    assert.equal(first.value.body.toString(), 'abc');
    const second = parseMessage(both.subarray(first.consumed), { transport: 'stream' });
    assert.ok(second.ok && getHeader(second.value, 'CSeq') === '2 OPTIONS');
    assert.equal(code(parseMessage(one.subarray(0, one.length - 1), { transport: 'stream' })), 'incomplete');
    assert.equal(code(parseMessage(one.subarray(0, 40), { transport: 'stream' })), 'incomplete');
    assert.equal(code(parseMessage(wire(`${HEAD}\n`), { transport: 'stream' })), 'missing_content_length');
  });
});

describe('SIP parser: limits', () => {
  it('refuses datagrams over the size limit', () => {
    assert.equal(code(parseMessage(wire(`${HEAD}X-Pad: ${'a'.repeat(70_000)}\n\n`))), 'too_large');
    assert.equal(code(parseMessage(wire(`${HEAD}\n`), { maxMessageBytes: 100 })), 'too_large');
  });

  it('refuses too many headers and overlong header lines', () => {
    assert.equal(code(parseMessage(wire(`${HEAD}${'X-A: 1\n'.repeat(250)}\n`))), 'too_many_headers');
    assert.equal(code(parseMessage(wire(`${HEAD}X-Long: ${'a'.repeat(9000)}\n\n`))), 'header_too_long');
    assert.equal(code(parseMessage(wire(`${HEAD}X-Fold: a\n${' b\n'.repeat(5000)}\n`))), 'header_too_long', 'folding cannot dodge the limit');
  });

  it('stream: refuses a header section that never ends within the limit', () => {
    assert.equal(code(parseMessage(Buffer.from(`${HEAD}X-Pad: ${'a'.repeat(70_000)}`), { transport: 'stream' })), 'too_large');
  });
});

describe('SIP serializer', () => {
  it('round-trips a parsed message and rewrites Content-Length from the body', () => {
    const original = ok(parseMessage(wire(`${HEAD}Content-Type: text/plain\nl: 5\n\n`, 'hello')));
    const bytes = serializeMessage({ ...original, body: Buffer.from('hello world') });
    const again = ok(parseMessage(bytes));
    assert.equal(again.body.toString(), 'hello world');
    assert.equal(getHeader(again, 'Content-Length'), '11');
    assert.deepEqual(again.headers.filter((h) => h.name !== 'Content-Length'), original.headers.filter((h) => h.name !== 'Content-Length'));
    assert.ok(bytes.toString().startsWith('OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP'));
  });

  it('writes compact names on request', () => {
    const m = ok(parseMessage(wire(`${HEAD}\n`)));
    const text = serializeMessage(m, { compact: true }).toString();
    assert.match(text, /\r\nv: SIP\/2\.0\/UDP/);
    assert.match(text, /\r\ni: abc@192\.0\.2\.1\r\n/);
    assert.match(text, /\r\nl: 0\r\n\r\n$/);
    assert.match(text, /\r\nCSeq: 1 OPTIONS/);
  });

  it('serializes responses', () => {
    const text = serializeMessage({ kind: 'response', status: 180, reason: 'Ringing', headers: [{ name: 'Call-ID', value: 'x' }], body: Buffer.alloc(0) }).toString();
    assert.equal(text, 'SIP/2.0 180 Ringing\r\nCall-ID: x\r\nContent-Length: 0\r\n\r\n');
  });

  it('refuses to write header injection or invalid start lines', () => {
    const base = ok(parseMessage(wire(`${HEAD}\n`)));
    assert.throws(() => serializeMessage({ ...base, headers: [{ name: 'Subject', value: 'a\r\nVia: evil' }] }), SipSerializeError);
    assert.throws(() => serializeMessage({ ...base, headers: [{ name: 'Bad: name', value: 'x' }] }), SipSerializeError);
    assert.throws(() => serializeMessage({ kind: 'response', status: 99, reason: 'x', headers: [], body: Buffer.alloc(0) }), SipSerializeError);
    assert.throws(() => serializeMessage({ kind: 'request', method: 'INVITE', uri: 'sip:a b', headers: [], body: Buffer.alloc(0) }), SipSerializeError);
  });
});
