/** Answering a trunk's 401 and a proxy's 407 to our INVITE (fixtures shaped like Asterisk and Kamailio). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAuthorization, verifyAuthorization } from '../digest-server.ts';
import { proxy407, trunk401 } from '../fixtures/real-world.ts';
import { wire } from '../fixtures/wire.ts';
import { getHeaders } from '../message.ts';
import { buildAuthenticatedRequest } from './digest-retry.ts';
import { HABLA_SDP } from './fixtures/calls.ts';
import { errorOf, header, onWire, response, value, via } from './fixtures/helpers.ts';
import { buildCancel, buildInvite } from './uac-requests.ts';

const CREDS = { username: '34911234567', password: 's3cret' };

function inviteFor(host: string, callId: string, fromTag: string, branch: string) {
  return onWire(value(buildInvite({
    requestUri: `sip:+34600111222@${host}`, from: { uri: `sip:+34911234567@${host}` }, fromTag,
    to: { uri: `sip:+34600111222@${host}` }, callId, via: { ...via(branch), host: '10.0.0.5' },
    contact: 'sip:habla@198.51.100.7:40123', sdp: HABLA_SDP,
  })));
}

describe('digest retry of an INVITE', () => {
  it('answers the trunk 401: CSeq 2, new branch, same Call-ID/From/To, an Authorization the trunk verifies', () => {
    const invite = inviteFor('trunk.example.net', 'c1d2e3f4@10.0.0.5', 'hb1', 'z9hG4bKhabla1');
    const retry = onWire(value(buildAuthenticatedRequest(invite, response(trunk401), CREDS, { via: { ...via('z9hG4bKhabla1b'), host: '10.0.0.5' }, cnonce: 'c0ffee' })));
    assert.equal(header(retry, 'CSeq'), '2 INVITE');
    assert.match(header(retry, 'Via') ?? '', /branch=z9hG4bKhabla1b/);
    for (const name of ['From', 'To', 'Call-ID', 'Contact', 'Content-Type']) assert.equal(header(retry, name), header(invite, name));
    assert.equal(retry.uri, invite.uri);
    assert.deepEqual(retry.body, invite.body);
    const auth = value(parseAuthorization(header(retry, 'Authorization') ?? ''));
    assert.deepEqual([auth.realm, auth.nonce, auth.uri, auth.qop, auth.nc, auth.cnonce], ['asterisk', '3f2a1b0c', invite.uri, 'auth', '00000001', 'c0ffee']);
    assert.ok(verifyAuthorization({ authorization: auth, method: 'INVITE', password: CREDS.password }));
    assert.equal(verifyAuthorization({ authorization: auth, method: 'INVITE', password: 'wrong' }), false);
    // The CANCEL of the retried INVITE follows its new CSeq and branch.
    const cancel = value(buildCancel(retry));
    assert.equal(header(cancel, 'CSeq'), '2 CANCEL');
    assert.match(header(cancel, 'Via') ?? '', /z9hG4bKhabla1b/);
  });

  it('answers a proxy 407 with Proxy-Authorization, choosing SHA-256 (listed first, RFC 8760)', () => {
    const invite = inviteFor('sip.example.net', 'd4e5f6a7@10.0.0.5', 'hb2', 'z9hG4bKhabla2');
    const retry = value(buildAuthenticatedRequest(invite, response(proxy407), CREDS, { via: via('z9hG4bKhabla2b'), cnonce: 'abc' }));
    assert.equal(header(retry, 'Authorization'), undefined);
    const auth = value(parseAuthorization(header(retry, 'Proxy-Authorization') ?? ''));
    assert.equal(auth.algorithm, 'SHA-256');
    assert.ok(verifyAuthorization({ authorization: auth, method: 'INVITE', password: CREDS.password }));
  });

  it('keeps the proxy credentials when the trunk behind it challenges next, at CSeq 3', () => {
    const invite = inviteFor('sip.example.net', 'd4e5f6a7@10.0.0.5', 'hb2', 'z9hG4bKhabla2');
    const first = value(buildAuthenticatedRequest(invite, response(proxy407), CREDS, { via: via('z9hG4bKp2'), cnonce: 'a' }));
    const trunk = response(Buffer.from(trunk401.toString()
      .replace(/Call-ID: [^\r]*/, 'Call-ID: d4e5f6a7@10.0.0.5').replace('tag=hb1', 'tag=hb2').replace('CSeq: 1 INVITE', 'CSeq: 2 INVITE')));
    const second = value(buildAuthenticatedRequest(first, trunk, CREDS, { via: via('z9hG4bKp3'), cnonce: 'b' }));
    assert.equal(header(second, 'CSeq'), '3 INVITE');
    assert.equal(getHeaders(second, 'Proxy-Authorization').length, 1);
    assert.equal(getHeaders(second, 'Authorization').length, 1);
    assert.equal(getHeaders(second, 'Via').length, 1);
  });

  it('a second challenge for the same realm means a wrong password: auth_rejected; stale=true retries', () => {
    const invite = inviteFor('trunk.example.net', 'c1d2e3f4@10.0.0.5', 'hb1', 'z9hG4bKhabla1');
    const retry = value(buildAuthenticatedRequest(invite, response(trunk401), CREDS, { via: via('z9hG4bKr2') }));
    const again = response(Buffer.from(trunk401.toString().replace('CSeq: 1 INVITE', 'CSeq: 2 INVITE')));
    assert.equal(errorOf(buildAuthenticatedRequest(retry, again, CREDS, { via: via('z9hG4bKr3') })).code, 'auth_rejected');
    const stale = response(Buffer.from(trunk401.toString()
      .replace('CSeq: 1 INVITE', 'CSeq: 2 INVITE').replace('qop="auth"', 'qop="auth", stale=true').replace('3f2a1b0c', 'newnonce')));
    const third = value(buildAuthenticatedRequest(retry, stale, CREDS, { via: via('z9hG4bKr4') }));
    assert.equal(header(third, 'CSeq'), '3 INVITE');
    assert.equal(value(parseAuthorization(header(third, 'Authorization') ?? '')).nonce, 'newnonce');
    assert.equal(getHeaders(third, 'Authorization').length, 1);
  });

  it('refuses challenges that do not answer this INVITE or cannot be answered', () => {
    const invite = inviteFor('trunk.example.net', 'c1d2e3f4@10.0.0.5', 'hb1', 'z9hG4bKhabla1');
    const text = trunk401.toString();
    const cases: [string, string][] = [
      [text.replace('CSeq: 1 INVITE', 'CSeq: 5 INVITE'), 'mismatch'],
      [text.replace('Call-ID: c1d2e3f4', 'Call-ID: zzz'), 'mismatch'],
      [text.replace(/WWW-Authenticate: [^\r]*\r\n/, ''), 'bad_message'],
      [text.replace('algorithm=MD5', 'algorithm=SHA-512-256'), 'bad_message'],
      [text.replace('401 Unauthorized', '403 Forbidden'), 'bad_message'],
    ];
    for (const [msg, code] of cases) {
      assert.equal(errorOf(buildAuthenticatedRequest(invite, response(Buffer.from(msg), false), CREDS, { via: via('z9hG4bKx') })).code, code, msg.split('\r\n')[0]);
    }
    const r = response(trunk401);
    assert.equal(errorOf(buildAuthenticatedRequest(invite, r, { username: 'a\r\nb', password: 'x' }, { via: via('z9hG4bKx') })).code, 'bad_input');
    assert.equal(errorOf(buildAuthenticatedRequest(invite, r, CREDS, { via: via('nope') })).code, 'bad_input');
    const noisy = wire('SIP/2.0 401 Unauthorized\nVia: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKhabla1\nFrom: <sip:a@b>;tag=hb1\nTo: <sip:c@d>\nCall-ID: c1d2e3f4@10.0.0.5\nCSeq: 1 INVITE\nWWW-Authenticate: Basic realm="x"\nContent-Length: 0\n\n');
    assert.equal(errorOf(buildAuthenticatedRequest(invite, response(noisy), CREDS, { via: via('z9hG4bKx') })).code, 'bad_message');
  });
});
