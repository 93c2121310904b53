import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getCallId, getContacts, getCSeq, getFrom, getMaxForwards, getRoutes, getTo, getVias } from './accessors.ts';
import { INVALID } from './fixtures/rfc4475-invalid.ts';
import { VALID } from './fixtures/rfc4475.ts';
import { getHeader, getHeaders, type SipMessage } from './message.ts';
import { parseMessage } from './parser.ts';
import type { Result } from './result.ts';
import { parseAuthHeader } from './digest-params.ts';
import { parseAuthorization } from './digest-server.ts';
import { parseUri } from './uri.ts';
import { validateMessage } from './validate.ts';

function parsed(buf: Buffer): SipMessage {
  const r = parseMessage(buf);
  assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r.value;
}

function value<T>(r: Result<T>): T {
  assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r.value;
}

describe('RFC 4475 valid messages', () => {
  it('every valid message parses and validates', () => {
    for (const [name, buf] of Object.entries(VALID)) {
      const r = parseMessage(buf);
      assert.ok(r.ok, `${name}: ${r.ok ? '' : r.error.message}`);
      const v = validateMessage(r.value);
      // intmeth and esc02 are unknown methods whose CSeq matches; regaut01 is valid as a message.
      assert.ok(v.ok, `${name}: ${v.ok ? '' : v.error.message}`);
    }
  });

  it('wsinv: folding, LWS around colons, compact and odd-case names, escaped quotes', () => {
    const m = parsed(VALID.wsinv);
    assert.equal(m.kind, 'request');
    assert.equal(m.kind === 'request' && m.method, 'INVITE');
    assert.equal(m.body.length, 150);
    const to = value(getTo(m));
    assert.equal(to.displayName, undefined);
    assert.equal(to.uri.user, 'vivekg');
    assert.equal(to.tag, '1918181833n');
    const from = value(getFrom(m));
    assert.equal(from.displayName, 'J Rosenberg \\"');
    assert.equal(from.tag, '98asjd8');
    assert.equal(value(getMaxForwards(m)), 68);
    assert.deepEqual(value(getCSeq(m)), { seq: 9, method: 'INVITE' });
    assert.equal(value(getCallId(m)), 'wsinv.ndaksdj@192.0.2.1');
    const vias = value(getVias(m));
    assert.deepEqual(vias.map((v) => [v.transport, v.host, v.branch]), [
      ['UDP', '192.0.2.2', '390skdjuw'],
      ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
      ['UDP', '192.168.255.111', 'z9hG4bK30239'],
    ]);
    assert.equal(vias[0].rport, true);
    assert.equal(getHeader(m, 'Subject'), '');
    assert.equal(getHeader(m, 'newfangledheader'), 'newfangled value continued newfangled value');
    assert.equal(getHeader(m, 'UnknownHeaderWithUnusualValue'), ';;,,;;,;');
    const routes = value(getRoutes(m));
    assert.equal(routes[0].uri.host, 'services.example.com');
    assert.equal(routes[0].uri.params.get('lr'), null);
    assert.equal(routes[0].uri.params.get('unknownwith'), 'value');
    const contacts = value(getContacts(m));
    assert.ok(contacts !== '*');
    assert.equal(contacts[0].displayName, 'Quoted string ""');
    assert.equal(contacts[0].params.get('newparam'), 'newvalue');
    assert.equal(contacts[0].params.get('secondparam'), null);
    assert.equal(contacts[0].params.get('q'), '0.33');
    assert.equal(m.kind === 'request' && value(parseUri(m.uri)).params.has('unknownparam'), true);
  });

  it('intmeth: token characters in method, URI, branch and tag; control characters in a quoted string', () => {
    const m = parsed(VALID.intmeth);
    assert.equal(m.kind === 'request' && m.method, "!interesting-Method0123456789_*+`.%indeed'~");
    const uri = value(parseUri(m.kind === 'request' ? m.uri : ''));
    assert.equal(uri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(uri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(value(getVias(m))[0].branch, "z9hG4bK-.!%66*_+`'~");
    assert.equal(value(getTo(m)).displayName, 'BEL:\x07 NUL:\x00 DEL:\x7F');
    const from = value(getFrom(m));
    assert.equal(from.displayName, "token1~` token2'+_ token3*%!.-");
    assert.equal(from.params.get("fromparam''~+*_!.-%"), 'работающий');
    assert.equal(from.tag, "_token~1'+`*%!-.");
    assert.equal(value(getCallId(m)), 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    assert.equal(getHeader(m, "extensionHeader-!.%*+_`'~"), '\uFEFF大停電');
  });

  it('esc01: escapes in URIs decode to their characters', () => {
    const m = parsed(VALID.esc01);
    assert.equal(value(parseUri(m.kind === 'request' ? m.uri : '')).user, 'sips:user@example.com');
    assert.equal(value(getTo(m)).uri.user, 'user');
    assert.equal(value(getFrom(m)).uri.user, 'I have spaces');
    const contacts = value(getContacts(m));
    assert.ok(contacts !== '*');
    const [contact] = contacts;
    assert.equal(contact.uri.user, 'caller');
    assert.equal(contact.uri.params.get('lr'), null);
    assert.equal(contact.uri.params.get('name'), 'value%41');
    assert.equal(getHeader(m, 'Content-Type'), 'application/sdp');
  });

  it('escnull: escaped NULs stay in the user part', () => {
    const m = parsed(VALID.escnull);
    assert.equal(value(getTo(m)).uri.user, 'null-\0-null');
    const contacts = value(getContacts(m));
    assert.deepEqual(contacts !== '*' && contacts.map((c) => c.uri.user), ['\0', '\0\0']);
  });

  it('esc02: % is literal in methods and header names', () => {
    const m = parsed(VALID.esc02);
    assert.equal(m.kind === 'request' && m.method, 'RE%47IST%45R');
    assert.equal(value(getTo(m)).displayName, '%Z%45');
    const contacts = value(getContacts(m));
    assert.deepEqual(contacts !== '*' && contacts.map((c) => c.uri.user), ['alias1', 'alias3']);
    assert.equal(getHeader(m, 'C%6Fntact'), '<sip:alias2@host2.example.com>');
  });

  it('lwsdisp, semiuri, transports, cparam', () => {
    assert.equal(value(getFrom(parsed(VALID.lwsdisp))).displayName, 'caller');
    const semi = parsed(VALID.semiuri);
    assert.equal(value(parseUri(semi.kind === 'request' ? semi.uri : '')).user, 'user;par=u@example.net');
    assert.deepEqual(getHeaders(semi, 'Accept'), [
      'application/sdp', 'application/pkcs7-mime', 'multipart/mixed', 'multipart/signed', 'message/sip', 'message/sipfrag',
    ]);
    assert.deepEqual(value(getVias(parsed(VALID.transports))).map((v) => v.transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
    const contacts = value(getContacts(parsed(VALID.cparam)));
    assert.ok(contacts !== '*');
    assert.equal(contacts[0].params.has('unknownparam'), true, 'outside <>: a header parameter');
    assert.equal(contacts[0].uri.params.has('unknownparam'), false);
    assert.equal(contacts[1].uri.params.has('unknownparam'), true, 'inside <>: a URI parameter');
  });

  it('dblreq: only the first request in the datagram is taken', () => {
    const m = parsed(VALID.dblreq);
    assert.equal(m.kind === 'request' && m.method, 'REGISTER');
    assert.equal(m.body.length, 0);
  });

  it('unreason and noreason: UTF-8 and empty reason phrases', () => {
    const u = parsed(VALID.unreason);
    assert.equal(u.kind === 'response' && u.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
    const n = parsed(VALID.noreason);
    assert.deepEqual(n.kind === 'response' && [n.status, n.reason], [100, '']);
  });

  it('regaut01: an unknown auth scheme parses as a header but is not a digest credential', () => {
    const m = parsed(VALID.regaut01);
    const auth = value(parseAuthHeader(getHeader(m, 'Authorization') ?? ''));
    assert.equal(auth.scheme, 'NoOneKnowsThisScheme');
    const digest = parseAuthorization(getHeader(m, 'Authorization') ?? '');
    assert.equal(!digest.ok && digest.error.code, 'unsupported_algorithm');
  });
});

describe('RFC 4475 invalid messages', () => {
  for (const [name, c] of Object.entries(INVALID)) {
    it(`${name} is refused by ${c.rejectedBy} with ${c.code}`, () => {
      const r = parseMessage(c.message);
      if (c.rejectedBy === 'parse') {
        assert.equal(r.ok, false);
        assert.equal(!r.ok && r.error.code, c.code);
        return;
      }
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      const v = validateMessage(r.value);
      assert.equal(v.ok, false);
      assert.equal(!v.ok && v.error.code, c.code, !v.ok ? v.error.message : '');
    });
  }

  it('regbadct is refused at the Contact, baddn at the From, quotbal at the To', () => {
    assert.equal(getContacts(parsed(INVALID.regbadct.message)).ok, false);
    assert.equal(getFrom(parsed(INVALID.baddn.message)).ok, false);
    assert.equal(getTo(parsed(INVALID.quotbal.message)).ok, false);
  });
});
