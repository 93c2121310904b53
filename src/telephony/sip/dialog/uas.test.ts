/** A baresip softphone calling Habla: we answer, retransmit the 2xx until its ACK, then it re-INVITEs and hangs up. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baresipInvite } from '../fixtures/real-world.ts';
import { getHeaders } from '../message.ts';
import { createUasDialog } from './create-dialog.ts';
import { confirmDialog } from './dialog.ts';
import { DialogSet } from './dialog-set.ts';
import { baresipAck, baresipRequest, HABLA_SDP } from './fixtures/calls.ts';
import { errorOf, header, onWire, request, value, via } from './fixtures/helpers.ts';
import { buildBye, buildInDialogRequest } from './in-dialog-request.ts';
import { ackMatches, receiveRequest } from './in-dialog-receive.ts';
import { ack2xxRetransmit, nextDeadline, start2xxRetransmit, tick2xxRetransmit } from './retransmit-2xx.ts';
import { buildDialogResponse, rejectRequest } from './uas-responses.ts';

const CONTACT = 'sip:habla@203.0.113.10:5060';
const TAG = 'hbl7c1e';

function answered() {
  const invite = request(baresipInvite);
  const early = value(createUasDialog(invite, { localTag: TAG, localContact: CONTACT }));
  return { invite, early, dialog: confirmDialog(early) };
}

describe('UAS: baresip calls in', () => {
  it('the INVITE makes an early dialog: remote target from Contact, remote CSeq, our injected tag', () => {
    const { early } = answered();
    assert.deepEqual(early.id, { callId: '7a8b9c0d1e2f3a4b', localTag: TAG, remoteTag: '5f0a6b3c2d1e4f7a' });
    assert.equal(early.role, 'uas');
    assert.equal(early.state, 'early');
    assert.equal(early.remoteTarget, 'sip:alice-0x55d1c2a3b4c0@192.168.1.20:5060;transport=udp');
    assert.equal(early.remoteSeq, 33914);
    assert.equal(early.localSeq, undefined);
    assert.equal(early.remoteParty, '"Alice" <sip:alice@example.org>');
    assert.equal(early.localParty, '<sip:+34910000000@habla.example.com>');
  });

  it('generates the tag from injected randomness when none is given', () => {
    const invite = request(baresipInvite);
    const d = value(createUasDialog(invite, { localContact: CONTACT, randomBytes: (n) => new Uint8Array(n).fill(0xab) }));
    assert.equal(d.id.localTag, 'abababababababab');
  });

  it('100 is tagless and bare; 180, 183 and 200 carry our tag and Contact; the 200 the SDP answer', () => {
    const { invite, early } = answered();
    const trying = onWire(buildDialogResponse(invite, early, 100));
    assert.equal(header(trying, 'To'), '<sip:+34910000000@habla.example.com>');
    assert.equal(header(trying, 'Contact'), undefined);
    for (const status of [180, 183, 200]) {
      const r = onWire(buildDialogResponse(invite, early, status, status === 200 ? { sdp: HABLA_SDP } : {}));
      assert.equal(header(r, 'To'), `<sip:+34910000000@habla.example.com>;tag=${TAG}`);
      assert.equal(header(r, 'Contact'), `<${CONTACT}>`);
      assert.deepEqual(getHeaders(r, 'Via'), getHeaders(invite, 'Via'));
      assert.equal(header(r, 'CSeq'), '33914 INVITE');
    }
    const ok200 = buildDialogResponse(invite, early, 200, { sdp: HABLA_SDP });
    assert.equal(ok200.reason, 'OK');
    assert.equal(header(ok200, 'Content-Type'), 'application/sdp');
    assert.ok(header(ok200, 'Allow')?.startsWith('INVITE'));
    const busy = onWire(buildDialogResponse(invite, early, 486));
    assert.equal(busy.reason, 'Busy Here');
    assert.equal(header(busy, 'Contact'), undefined);
    assert.equal(header(busy, 'To'), `<sip:+34910000000@habla.example.com>;tag=${TAG}`);
  });

  it('retransmits the 2xx until baresip ACKs it, and matches that ACK to the dialog', () => {
    const { dialog } = answered();
    let state = start2xxRetransmit(10_000);
    assert.equal(nextDeadline(state), 10_500);
    const tick = tick2xxRetransmit(state, 10_500);
    assert.equal(tick.action, 'retransmit');
    state = tick.state;
    const ack = request(baresipAck(TAG));
    assert.ok(ackMatches(dialog, ack));
    assert.ok(value(receiveRequest(dialog, ack)) === dialog, 'an ACK changes nothing in the dialog');
    state = ack2xxRetransmit(state);
    assert.equal(state.status, 'acked');
    assert.equal(nextDeadline(state), undefined);
    assert.equal(tick2xxRetransmit(state, 99_999).action, undefined);
    assert.equal(ackMatches(dialog, request(baresipAck('someone-else'))), false);
    assert.equal(ackMatches(dialog, request(baresipAck(TAG, 33913))), false, 'an ACK for an older INVITE');
  });

  it('a hold re-INVITE from a new address refreshes the target; the 200 keeps our tag and Contact', () => {
    const { dialog } = answered();
    const reinvite = request(baresipRequest(TAG, 'INVITE', 33915));
    const held = value(receiveRequest(dialog, reinvite));
    assert.equal(held.remoteTarget, 'sip:alice-0x55d1c2a3b4c0@192.168.1.21:5062;transport=udp');
    assert.equal(held.remoteSeq, 33915);
    assert.equal(held.inviteSeq, 33915);
    const ok200 = onWire(buildDialogResponse(reinvite, held, 200, { sdp: HABLA_SDP.replace('sendrecv', 'recvonly') }));
    assert.equal(header(ok200, 'To'), `<sip:+34910000000@habla.example.com>;tag=${TAG}`);
    assert.equal(header(ok200, 'Record-Route'), undefined);
    assert.ok(ackMatches(held, request(baresipAck(TAG, 33915))));
  });

  it('a CSeq lower than the last one is refused with 500 and Retry-After (§12.2.2); equal passes', () => {
    const { dialog } = answered();
    const after = value(receiveRequest(dialog, request(baresipRequest(TAG, 'INFO', 33916))));
    const late = request(baresipRequest(TAG, 'INFO', 33915));
    const error = errorOf(receiveRequest(after, late));
    assert.deepEqual([error.code, error.status], ['cseq_out_of_order', 500]);
    const answer = onWire(rejectRequest(late, error));
    assert.deepEqual([answer.status, header(answer, 'Retry-After')], [500, '1']);
    assert.ok(receiveRequest(after, request(baresipRequest(TAG, 'INFO', 33916))).ok);
  });

  it('baresip hangs up: BYE is matched through the dialog set, answered 200, then the dialog is gone → 481', () => {
    const { dialog } = answered();
    const set = new DialogSet();
    set.set(dialog);
    const bye = request(baresipRequest(TAG, 'BYE', 33915));
    const found = value(set.matchRequest(bye));
    const updated = value(receiveRequest(found, bye));
    const ok200 = onWire(buildDialogResponse(bye, updated, 200));
    assert.deepEqual([ok200.status, header(ok200, 'CSeq'), header(ok200, 'Contact')], [200, '33915 BYE', undefined]);
    set.delete(dialog.id);
    const again = errorOf(set.matchRequest(bye));
    assert.deepEqual([again.code, again.status], ['unknown_dialog', 481]);
    assert.equal(onWire(rejectRequest(bye, again)).reason, 'Call/Transaction Does Not Exist');
  });

  it('we hang up: our first request picks an initial CSeq; the callee may not BYE an early dialog', () => {
    const { early, dialog } = answered();
    assert.equal(errorOf(buildBye(early, { via: via('z9hG4bKb0') })).code, 'wrong_state');
    const { request: bye, dialog: after } = value(buildBye(dialog, { via: via('z9hG4bKb1') }));
    const sent = onWire(bye);
    assert.equal(sent.uri, 'sip:alice-0x55d1c2a3b4c0@192.168.1.20:5060;transport=udp');
    assert.equal(header(sent, 'From'), `<sip:+34910000000@habla.example.com>;tag=${TAG}`);
    assert.equal(header(sent, 'To'), '"Alice" <sip:alice@example.org>;tag=5f0a6b3c2d1e4f7a');
    assert.equal(header(sent, 'CSeq'), '1 BYE');
    assert.equal(after.localSeq, 1);
    const info = value(buildInDialogRequest(dialog, 'INFO', { via: via('z9hG4bKi'), initialSeq: 500 }));
    assert.equal(header(info.request, 'CSeq'), '500 INFO');
  });

  it('INVITEs that cannot create a dialog are answered 400 (or 481 with a To tag), never thrown', () => {
    const text = baresipInvite.toString();
    const cases: [string, string, number][] = [
      [text.replace(';tag=5f0a6b3c2d1e4f7a', ''), 'missing_tag', 400],
      [text.replace(/Contact: [^\r]*\r\n/, ''), 'missing_contact', 400],
      [text.replace('CSeq: 33914 INVITE', 'CSeq: 99999999999 INVITE'), 'bad_message', 400],
      [text.replace('CSeq: 33914 INVITE', 'CSeq: 1 BYE'), 'bad_message', 400],
      [text.replace(/Call-ID: [^\r]*\r\n/, ''), 'bad_message', 400],
      [text.replace('To: <sip:+34910000000@habla.example.com>', 'To: <sip:+34910000000@habla.example.com>;tag=x'), 'not_dialog_creating', 481],
    ];
    for (const [msg, code, status] of cases) {
      const error = errorOf(createUasDialog(request(Buffer.from(msg), false), { localContact: CONTACT, localTag: TAG }));
      assert.deepEqual([error.code, error.status], [code, status], msg.slice(0, 40));
    }
    assert.equal(errorOf(createUasDialog(request(baresipInvite), { localContact: 'sip:a b', localTag: TAG })).code, 'bad_input');
  });
});
