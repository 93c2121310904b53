import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Result } from './result.ts';
import { formatUri, parseUri, type SipUri } from './uri.ts';

function value(r: Result<SipUri>): SipUri {
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

describe('SIP URI', () => {
  it('parses user, password, host, port, params and headers', () => {
    const u = value(parseUri('sips:alice:secret@Atlanta.example.com:5061;transport=TLS;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent'));
    assert.equal(u.scheme, 'sips');
    assert.equal(u.user, 'alice');
    assert.equal(u.password, 'secret');
    assert.equal(u.host, 'Atlanta.example.com');
    assert.equal(u.port, 5061);
    assert.deepEqual([...u.params], [['transport', 'TLS'], ['lr', null], ['maddr', '239.255.255.1']]);
    assert.deepEqual([...u.headers], [['subject', 'project x'], ['priority', 'urgent']]);
  });

  it('parses IPv6 references with and without a port, and host-only URIs', () => {
    assert.deepEqual(
      (({ host, port }) => [host, port])(value(parseUri('sip:[2001:db8::10]:5070;transport=udp'))),
      ['[2001:db8::10]', 5070],
    );
    assert.equal(value(parseUri('sip:alice@[::1]')).host, '[::1]');
    const h = value(parseUri('SIP:proxy.example.net'));
    assert.deepEqual([h.scheme, h.user, h.host, h.port], ['sip', undefined, 'proxy.example.net', undefined]);
  });

  it('parses tel: URIs with their parameters', () => {
    const t = value(parseUri('tel:+34-91-123-45-67;phone-context=+34'));
    assert.deepEqual([t.scheme, t.user, t.host], ['tel', '+34-91-123-45-67', '']);
    assert.equal(t.params.get('phone-context'), '+34');
  });

  it('refuses malformed URIs', () => {
    for (const bad of [
      'sip:', 'sip:@example.com', 'sip:alice@', 'sip:alice@exa mple.com', 'sip:alice@example.com:99999',
      'sip:alice@example.com:port', 'sip:alice@[::1', 'sip:alice@[zz]', 'sip:al<ice@example.com',
      'sip:alice@example.com;=x', 'sip:alice@example.com?noequals', 'http://example.com', 'tel:', 'tel:abc xyz', 'mailto:a@b', '',
      'sip:alice@-bad.example.com',
    ]) {
      assert.equal(parseUri(bad).ok, false, bad);
    }
  });

  it('formats back, escaping what needs escaping', () => {
    for (const text of [
      'sip:alice@atlanta.example.com',
      'sips:alice:secret@atlanta.example.com:5061;transport=tls;lr?subject=project%20x',
      'sip:[2001:db8::10]:5070',
      'tel:+34911234567;phone-context=+34',
      'sip:user;par=u%40example.net@example.com',
    ]) {
      assert.equal(formatUri(value(parseUri(text))), text.replace('transport=TLS', 'transport=tls'));
    }
    const spaced = value(parseUri('sip:I%20have%20spaces@example.net'));
    assert.equal(spaced.user, 'I have spaces');
    assert.equal(formatUri(spaced), 'sip:I%20have%20spaces@example.net');
    assert.equal(formatUri({ scheme: 'sip', user: 'a%b@c', host: 'h', params: new Map([['x', 'y z']]), headers: new Map() }), 'sip:a%25b%40c@h;x=y%20z');
  });

  it('keeps a % that starts no escape literal', () => {
    assert.equal(value(parseUri('sip:100%@example.com')).user, '100%');
  });
});
