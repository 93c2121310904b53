import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Result } from './result.ts';
import {
  parseCallId, parseContentType, parseCSeq, parseDeltaSeconds, parseMaxForwards, parseNameAddr, parseVia,
} from './typed-headers.ts';

function value<T>(r: Result<T>): T {
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

describe('typed header values', () => {
  it('Via: transport, sent-by, branch, received and rport (RFC 3581)', () => {
    const v = value(parseVia('SIP/2.0/udp 10.0.0.5:5060;branch=z9hG4bKabc;received=198.51.100.7;rport=40123'));
    assert.deepEqual([v.protocol, v.transport, v.host, v.port, v.branch, v.received, v.rport], ['SIP/2.0', 'UDP', '10.0.0.5', 5060, 'z9hG4bKabc', '198.51.100.7', 40123]);
    const asked = value(parseVia('SIP/2.0/TCP [2001:db8::1] : 5080 ;rport;branch=z9hG4bKx'));
    assert.deepEqual([asked.host, asked.port, asked.rport], ['[2001:db8::1]', 5080, true]);
    assert.equal(value(parseVia('SIP/2.0/UDP pc33.example.com;received=[2001:db8::9:255]')).received, '[2001:db8::9:255]');
    for (const bad of ['SIP/2.0 host', 'SIP/2.0/UDP', 'SIP/2.0/UDP host:70000', 'SIP/2.0/UDP host;;branch=x', 'SIP/2.0/UDP host;rport=x', '']) {
      assert.equal(parseVia(bad).ok, false, bad);
    }
  });

  it('name-addr and addr-spec forms, with display names quoted, token or absent', () => {
    const a = value(parseNameAddr('"Alice \\"A\\" Smith" <sip:alice@example.com;transport=udp>;tag=abc;expires=60'));
    assert.deepEqual([a.displayName, a.uri.user, a.uri.params.get('transport'), a.tag, a.params.get('expires')], ['Alice "A" Smith', 'alice', 'udp', 'abc', '60']);
    assert.equal(a.uriText, 'sip:alice@example.com;transport=udp');
    const b = value(parseNameAddr('Bob Jones <sip:bob@example.com>'));
    assert.equal(b.displayName, 'Bob Jones');
    const c = value(parseNameAddr('sip:carol@example.com;tag=9'));
    assert.deepEqual([c.displayName, c.uri.host, c.tag, c.uri.params.size], [undefined, 'example.com', '9', 0]);
    const d = value(parseNameAddr('<tel:+34911234567>'));
    assert.equal(d.uri.user, '+34911234567');
    for (const bad of ['"open <sip:a@b>', 'Bell, Alexander <sip:a@b>', '<sip:a@b', 'sip:a@b?x=y', '<mailto:a@b>', '"x" sip:a@b', '<sip:a@b>;;tag=1', '']) {
      assert.equal(parseNameAddr(bad).ok, false, bad);
    }
  });

  it('CSeq below 2**31, Max-Forwards 0..255, delta-seconds 32-bit', () => {
    assert.deepEqual(value(parseCSeq(' 0101  INVITE ')), { seq: 101, method: 'INVITE' });
    assert.equal(value(parseCSeq('2147483647 BYE')).seq, 2147483647);
    for (const bad of ['2147483648 BYE', 'x INVITE', '1', '1 IN VITE', '-1 BYE']) assert.equal(parseCSeq(bad).ok, false, bad);
    assert.equal(value(parseMaxForwards('0')), 0);
    assert.equal(parseMaxForwards('256').ok, false);
    assert.equal(value(parseDeltaSeconds('4294967295')), 4294967295);
    assert.equal(parseDeltaSeconds('4294967296').ok, false);
  });

  it('Call-ID and Content-Type', () => {
    assert.equal(value(parseCallId(' a84b4c76e66710@pc33.example.com ')), 'a84b4c76e66710@pc33.example.com');
    assert.equal(parseCallId('has space').ok, false);
    assert.equal(parseCallId('').ok, false);
    const ct = value(parseContentType('Application/SDP ; charset = "utf-8"'));
    assert.deepEqual([ct.type, ct.subtype, ct.params.get('charset')], ['application', 'sdp', 'utf-8']);
    assert.equal(parseContentType('application').ok, false);
  });
});
