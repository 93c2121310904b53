import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getCallId, getContacts, getCSeq, getFrom, getTo, getTopVia } from './accessors.ts';
import { answerChallenge, challengeFromResponse } from './digest-client.ts';
import { parseAuthorization, verifyAuthorization } from './digest-server.ts';
import { baresipInvite, proxy407, sipp200, sippAck, sippBye, sippInvite, trunk401 } from './fixtures/real-world.ts';
import { bodyText, getHeader, getHeaders, type SipMessage, type SipResponse } from './message.ts';
import { parseMessage } from './parser.ts';
import type { Result } from './result.ts';
import { serializeMessage } from './serializer.ts';
import { parseUri } from './uri.ts';
import { validateMessage } from './validate.ts';

function parsed(buf: Buffer): SipMessage {
  const r = parseMessage(buf);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  const v = validateMessage(r.value);
  assert.ok(v.ok, v.ok ? '' : v.error.message);
  return r.value;
}
function value<T>(r: Result<T>): T {
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.value;
}

describe('messages from real peers', () => {
  it('a SIPp call: INVITE, 200, ACK, BYE share a dialog and round-trip through the serializer', () => {
    const [invite, ok200, ack, bye] = [sippInvite, sipp200, sippAck, sippBye].map(parsed);
    assert.equal(bodyText(invite).split('\r\n')[5], 'm=audio 6000 RTP/AVP 0');
    for (const m of [ok200, ack, bye]) assert.equal(value(getCallId(m)), '1-31337@127.0.0.1');
    assert.equal(value(getTo(ok200)).tag, '31338SIPpTag011');
    assert.equal(value(getFrom(invite)).displayName, 'sipp');
    assert.deepEqual(value(getCSeq(bye)), { seq: 2, method: 'BYE' });
    const contacts = value(getContacts(ok200));
    assert.ok(contacts !== '*');
    assert.deepEqual([contacts[0].uri.user, contacts[0].uri.host, contacts[0].uri.port], [undefined, '127.0.0.1', 5060]);
    for (const m of [invite, ok200, ack, bye]) {
      const again = parseMessage(serializeMessage(m));
      assert.ok(again.ok);
      assert.deepEqual(again.value.body, m.body);
      assert.deepEqual(again.value.headers.map((h) => h.value), m.headers.map((h) => h.name === 'Content-Length' ? String(m.body.length) : h.value));
    }
  });

  it('a baresip INVITE: Request-URI number, rport request, instance id, comma lists', () => {
    const m = parsed(baresipInvite);
    const ruri = value(parseUri(m.kind === 'request' ? m.uri : ''));
    assert.deepEqual([ruri.user, ruri.params.get('transport')], ['+34910000000', 'udp']);
    const via = value(getTopVia(m));
    assert.deepEqual([via.host, via.port, via.rport, via.branch], ['192.168.1.20', 5060, true, 'z9hG4bK3c2a1e0f9d8b7a6c']);
    const contacts = value(getContacts(m));
    assert.ok(contacts !== '*');
    assert.equal(contacts[0].params.get('+sip.instance'), '<urn:uuid:9c4f1e2a-7b3d-4f6e-8a1c-2d5e6f7a8b9c>');
    assert.equal(getHeaders(m, 'Allow').length, 11);
    assert.deepEqual(getHeaders(m, 'k'), ['replaces', 'norefersub', '100rel']);
    assert.equal(value(getFrom(m)).displayName, 'Alice');
  });

  it('answers an Asterisk 401 with an Authorization the trunk would accept', () => {
    const res = parsed(trunk401) as SipResponse;
    const via = value(getTopVia(res));
    assert.deepEqual([via.received, via.rport], ['198.51.100.7', 40123]);
    const { challenge, answerHeader } = value(challengeFromResponse(res));
    assert.equal(answerHeader, 'Authorization');
    const uri = 'sip:+34600111222@trunk.example.net';
    const answer = answerChallenge({ challenge, username: 'habla', password: 'pw', method: 'INVITE', uri, cnonce: 'c0ffee' });
    const creds = value(parseAuthorization(answer.header));
    assert.deepEqual([creds.realm, creds.nonce, creds.uri, creds.qop, creds.nc], ['asterisk', '3f2a1b0c', uri, 'auth', '00000001']);
    assert.equal(verifyAuthorization({ authorization: creds, method: 'INVITE', password: 'pw' }), true);
  });

  it('answers a Kamailio 407 with Proxy-Authorization using its preferred SHA-256', () => {
    const res = parsed(proxy407) as SipResponse;
    assert.equal(getHeader(res, 'Call-ID'), 'd4e5f6a7@10.0.0.5');
    const { challenge, answerHeader } = value(challengeFromResponse(res));
    assert.deepEqual([answerHeader, challenge.algorithm, challenge.realm], ['Proxy-Authorization', 'SHA-256', 'sip.example.net']);
    const answer = answerChallenge({ challenge, username: 'habla', password: 'pw', method: 'INVITE', uri: 'sip:+34600111222@sip.example.net' });
    assert.equal(answer.response.length, 64);
    assert.equal(challengeFromResponse(parsed(sipp200) as SipResponse).ok, false, 'a 200 carries no challenge');
  });
});

describe('createResponse', () => {
  it('copies Via, From, To, Call-ID and CSeq, and tags To on non-100 responses', async () => {
    const { createResponse } = await import('./response.ts');
    const invite = parsed(baresipInvite);
    assert.ok(invite.kind === 'request');
    const ringing = createResponse(invite, 180, 'Ringing', { toTag: 'hb42', headers: [{ name: 'Contact', value: '<sip:habla@10.0.0.5>' }] });
    const reparsed = parsed(serializeMessage(ringing));
    assert.equal(value(getTo(reparsed)).tag, 'hb42');
    assert.deepEqual(value(getCSeq(reparsed)), { seq: 33914, method: 'INVITE' });
    assert.equal(value(getTopVia(reparsed)).branch, 'z9hG4bK3c2a1e0f9d8b7a6c');
    assert.equal(getHeader(reparsed, 'Contact'), '<sip:habla@10.0.0.5>');
    assert.equal(value(getTo(createResponse(invite, 100, 'Trying', { toTag: 'x' }))).tag, undefined);
    const again = createResponse({ ...invite, headers: ringing.headers } as typeof invite, 200, 'OK', { toTag: 'other' });
    assert.equal(value(getTo(again)).tag, 'hb42', 'an existing tag is kept');
  });
});
