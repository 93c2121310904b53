/** Habla calling out: our INVITE, SIPp's `-sn uas` answering it, then ACK, re-INVITE and BYE. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getHeaders } from '../message.ts';
import { createUacDialog, updateUacDialog } from './create-dialog.ts';
import { DialogSet } from './dialog-set.ts';
import { HABLA_SDP, sippUasResponse } from './fixtures/calls.ts';
import { errorOf, header, onWire, response, value, via } from './fixtures/helpers.ts';
import { buildAck, buildBye, buildInDialogRequest, buildReInvite } from './in-dialog-request.ts';
import { receiveResponse } from './in-dialog-receive.ts';
import { buildCancel, buildInvite, type InviteInput } from './uac-requests.ts';
import { wire } from '../fixtures/wire.ts';

const INPUT: InviteInput = {
  requestUri: 'sip:service@127.0.0.1:5060',
  from: { uri: 'sip:+34911234567@habla.example.com', displayName: 'Habla "Ventas"' },
  fromTag: 'hb1',
  to: { uri: 'sip:service@127.0.0.1:5060' },
  callId: 'call-1@203.0.113.10',
  via: via('z9hG4bKinv1'),
  contact: 'sip:habla@203.0.113.10:5060',
  sdp: HABLA_SDP,
  supported: ['replaces'],
  userAgent: 'Habla/0.1',
};

const invite = () => onWire(value(buildInvite(INPUT)));

function answered() {
  const inv = invite();
  const early = value(createUacDialog(inv, response(sippUasResponse(inv, 180))));
  const dialog = value(updateUacDialog(early, response(sippUasResponse(inv, 200))));
  return { inv, early, dialog };
}

describe('UAC: the INVITE and its CANCEL', () => {
  it('builds an INVITE that a peer parses and validates, with every header §8.1.1 asks for', () => {
    const inv = invite();
    assert.equal(inv.uri, 'sip:service@127.0.0.1:5060');
    assert.equal(header(inv, 'Via'), 'SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bKinv1;rport');
    assert.equal(header(inv, 'Max-Forwards'), '70');
    assert.equal(header(inv, 'From'), '"Habla \\"Ventas\\"" <sip:+34911234567@habla.example.com>;tag=hb1');
    assert.equal(header(inv, 'To'), '<sip:service@127.0.0.1:5060>');
    assert.equal(header(inv, 'CSeq'), '1 INVITE');
    assert.equal(header(inv, 'Contact'), '<sip:habla@203.0.113.10:5060>');
    assert.deepEqual(getHeaders(inv, 'Allow'), ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'NOTIFY']);
    assert.equal(header(inv, 'Supported'), 'replaces');
    assert.equal(header(inv, 'User-Agent'), 'Habla/0.1');
    assert.equal(header(inv, 'Content-Type'), 'application/sdp');
    assert.equal(inv.body.toString(), HABLA_SDP);
  });

  it('refuses unusable inputs with bad_input instead of writing a broken message', () => {
    const bad: Partial<InviteInput>[] = [
      { from: { uri: 'sip:a@b', displayName: 'x\r\nVia: evil' } },
      { to: { uri: 'sip:+34600\r\n@b' } },
      { requestUri: 'http://example.com' },
      { requestUri: 'sip:a@b?Subject=x' },
      { contact: 'sip:a@b>;evil' },
      { via: via('nocookie') },
      { via: { ...via('z9hG4bK1'), host: 'bad host' } },
      { callId: 'two words' },
      { fromTag: 'a;b' },
      { cseq: 2 ** 31 },
      { cseq: -1 },
      { allow: ['INVITE, BYE'] },
      { userAgent: 'x\ny' },
      { headers: [{ name: 'X-Bad', value: 'a\r\nb' }] },
      { routes: ['not a uri'] },
    ];
    for (const patch of bad) assert.equal(errorOf(buildInvite({ ...INPUT, ...patch })).code, 'bad_input', JSON.stringify(patch));
  });

  it('writes a pre-loaded outbound proxy route', () => {
    const inv = onWire(value(buildInvite({ ...INPUT, routes: ['sip:proxy.example.net;lr'] })));
    assert.deepEqual(getHeaders(inv, 'Route'), ['<sip:proxy.example.net;lr>']);
  });

  it('builds the CANCEL from the INVITE: same top Via, Request-URI, Call-ID, tags, Route and CSeq number (§9.1)', () => {
    const inv = onWire(value(buildInvite({ ...INPUT, cseq: 7, routes: ['sip:proxy.example.net;lr'] })));
    const cancel = onWire(value(buildCancel(inv)));
    assert.equal(cancel.method, 'CANCEL');
    assert.equal(cancel.uri, inv.uri);
    assert.deepEqual(getHeaders(cancel, 'Via'), [header(inv, 'Via')]);
    for (const name of ['From', 'To', 'Call-ID', 'Route']) assert.equal(header(cancel, name), header(inv, name));
    assert.equal(header(cancel, 'CSeq'), '7 CANCEL');
    assert.equal(cancel.body.length, 0);
    assert.equal(errorOf(buildCancel({ ...inv, method: 'OPTIONS' })).code, 'not_dialog_creating');
  });
});

describe('UAC: SIPp answers', () => {
  it('180 with a To tag makes an early dialog; the 200 confirms it', () => {
    const { early, dialog } = answered();
    assert.deepEqual(early.id, { callId: 'call-1@203.0.113.10', localTag: 'hb1', remoteTag: '4242SIPpTag011' });
    assert.equal(early.state, 'early');
    assert.equal(early.role, 'uac');
    assert.equal(early.remoteTarget, 'sip:127.0.0.1:5060;transport=UDP');
    assert.equal(dialog.state, 'confirmed');
    assert.equal(dialog.localSeq, 1);
    assert.equal(dialog.remoteSeq, undefined);
    assert.deepEqual(dialog.routeSet, []);
    assert.equal(dialog.secure, false);
  });

  it('a 200 with no provisional before it creates a confirmed dialog directly', () => {
    const inv = invite();
    const dialog = value(createUacDialog(inv, response(sippUasResponse(inv, 200))));
    assert.equal(dialog.state, 'confirmed');
  });

  it('ACKs the 200 with the INVITE CSeq number, a new branch, to the remote target (§13.2.2.4)', () => {
    const { dialog } = answered();
    const ack = onWire(value(buildAck(dialog, { via: via('z9hG4bKack1') })));
    assert.equal(ack.uri, 'sip:127.0.0.1:5060;transport=UDP');
    assert.equal(header(ack, 'CSeq'), '1 ACK');
    assert.match(header(ack, 'Via') ?? '', /branch=z9hG4bKack1/);
    assert.equal(header(ack, 'To'), '<sip:service@127.0.0.1:5060>;tag=4242SIPpTag011');
    assert.equal(header(ack, 'From'), '"Habla \\"Ventas\\"" <sip:+34911234567@habla.example.com>;tag=hb1');
    assert.equal(header(ack, 'Route'), undefined);
  });

  it('the ACK repeats the credentials of an authenticated INVITE', () => {
    const { dialog } = answered();
    const inv = { ...invite(), headers: [...invite().headers, { name: 'Authorization', value: 'Digest username="u"' }] };
    const ack = value(buildAck(dialog, { via: via('z9hG4bKack2'), invite: inv }));
    assert.equal(header(ack, 'Authorization'), 'Digest username="u"');
  });

  it('hangs up with BYE at CSeq 2; the 200 to BYE ends the dialog', () => {
    const { dialog } = answered();
    const { dialog: after, request: bye } = value(buildBye(dialog, { via: via('z9hG4bKbye1') }));
    const wireBye = onWire(bye);
    assert.equal(wireBye.uri, 'sip:127.0.0.1:5060;transport=UDP');
    assert.equal(header(wireBye, 'CSeq'), '2 BYE');
    assert.equal(header(wireBye, 'Contact'), undefined);
    assert.equal(after.localSeq, 2);
    const ok200 = response(wire(`SIP/2.0 200 OK\nVia: ${header(bye, 'Via')}\nFrom: ${header(bye, 'From')}\nTo: ${header(bye, 'To')}\nCall-ID: ${header(bye, 'Call-ID')}\nCSeq: 2 BYE\nContent-Length: 0\n\n`));
    const ended = value(receiveResponse(after, 'BYE', ok200));
    assert.equal(ended.state, 'terminated');
    assert.equal(errorOf(buildBye(ended, { via: via('z9hG4bKbye2') })).code, 'terminated');
  });

  it('holds and unholds with re-INVITEs; the 2xx refreshes the remote target', () => {
    const { dialog } = answered();
    const hold = value(buildReInvite(dialog, HABLA_SDP.replace('sendrecv', 'sendonly'), { via: via('z9hG4bKre1') }));
    const holdInvite = onWire(hold.request);
    assert.equal(header(holdInvite, 'CSeq'), '2 INVITE');
    assert.equal(header(holdInvite, 'Contact'), '<sip:habla@203.0.113.10:5060>');
    assert.match(holdInvite.body.toString(), /a=sendonly/);
    assert.equal(hold.dialog.inviteSeq, 2);
    const moved = response(wire(`SIP/2.0 200 OK\nVia: ${header(holdInvite, 'Via')}\nFrom: ${header(holdInvite, 'From')}\nTo: ${header(holdInvite, 'To')}\nCall-ID: call-1@203.0.113.10\nCSeq: 2 INVITE\nContact: <sip:127.0.0.1:5070>\nContent-Length: 0\n\n`));
    const refreshed = value(receiveResponse(hold.dialog, 'INVITE', moved));
    assert.equal(refreshed.remoteTarget, 'sip:127.0.0.1:5070');
    assert.equal(header(value(buildAck(refreshed, { via: via('z9hG4bKack3') })), 'CSeq'), '2 ACK');
    const unhold = value(buildReInvite(refreshed, HABLA_SDP, { via: via('z9hG4bKre2') }));
    assert.equal(unhold.request.uri, 'sip:127.0.0.1:5070');
    assert.equal(header(unhold.request, 'CSeq'), '3 INVITE');
  });

  it('INFO and OPTIONS advance the CSeq and carry their own Content-Type', () => {
    const { dialog } = answered();
    const info = value(buildInDialogRequest(dialog, 'INFO', { via: via('z9hG4bKinfo'), body: 'Signal=5\r\nDuration=160\r\n', contentType: 'application/dtmf-relay' }));
    assert.equal(header(onWire(info.request), 'Content-Type'), 'application/dtmf-relay');
    const options = value(buildInDialogRequest(info.dialog, 'OPTIONS', { via: via('z9hG4bKopt') }));
    assert.equal(header(options.request, 'CSeq'), '3 OPTIONS');
    assert.equal(errorOf(buildInDialogRequest(dialog, 'ACK', { via: via('z9hG4bKx') })).code, 'bad_input');
    assert.equal(errorOf(buildInDialogRequest(dialog, 'INFO', { via: via('z9hG4bKx'), contentType: 'a\r\nb' })).code, 'bad_input');
  });

  it('in an early dialog the caller may send BYE but not a re-INVITE', () => {
    const { early } = answered();
    assert.ok(buildBye(early, { via: via('z9hG4bKe1') }).ok);
    assert.equal(errorOf(buildReInvite(early, HABLA_SDP, { via: via('z9hG4bKe2') })).code, 'wrong_state');
  });

  it('a forked INVITE: two 180s with different tags make two early dialogs of one call', () => {
    const inv = invite();
    const first = value(createUacDialog(inv, response(sippUasResponse(inv, 180))));
    const other = response(Buffer.from(sippUasResponse(inv, 180).toString().replace('4242SIPpTag011', 'fork2')));
    const second = value(createUacDialog(inv, other));
    const set = new DialogSet();
    set.set(first);
    set.set(second);
    assert.equal(set.forks('call-1@203.0.113.10', 'hb1').length, 2);
    assert.equal(value(set.matchResponse(other)).id.remoteTag, 'fork2');
  });

  it('responses that cannot make a dialog are errors, not exceptions', () => {
    const inv = invite();
    const ok200 = sippUasResponse(inv, 200).toString();
    const cases: [string, string][] = [
      [ok200.replace('SIP/2.0 200 OK', 'SIP/2.0 100 Trying'), 'not_dialog_creating'],
      [ok200.replace(';tag=4242SIPpTag011', ''), 'missing_tag'],
      [ok200.replace('Call-ID: call-1@', 'Call-ID: other@'), 'mismatch'],
      [ok200.replace('CSeq: 1 INVITE', 'CSeq: 9 INVITE'), 'mismatch'],
      [ok200.replace('tag=hb1', 'tag=zz'), 'mismatch'],
      [ok200.replace(/Contact: [^\r]*\r\n/, ''), 'missing_contact'],
      [ok200.replace('Contact: <sip:127.0.0.1:5060;transport=UDP>', 'Contact: <tel:+34600111222>'), 'missing_contact'],
      [ok200.replace('Contact: <sip:127.0.0.1:5060;transport=UDP>', 'Contact: <sip:>'), 'bad_message'],
    ];
    for (const [text, code] of cases) {
      const r = createUacDialog(inv, response(Buffer.from(text), false));
      assert.equal(errorOf(r).code, code, text.split('\r\n')[0]);
    }
  });

  it('an 18x without Contact still makes an early dialog aimed at the Request-URI', () => {
    const inv = invite();
    const ringing = sippUasResponse(inv, 180).toString().replace(/Contact: [^\r]*\r\n/, '');
    const early = value(createUacDialog(inv, response(Buffer.from(ringing))));
    assert.equal(early.remoteTarget, 'sip:service@127.0.0.1:5060');
    const confirmed = value(updateUacDialog(early, response(sippUasResponse(inv, 200))));
    assert.equal(confirmed.remoteTarget, 'sip:127.0.0.1:5060;transport=UDP');
  });
});
