/** Dialog identity, the dialog set, identifiers, and the ways a dialog ends (§12.2.1.2, §15). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baresipInvite } from '../fixtures/real-world.ts';
import { wire } from '../fixtures/wire.ts';
import { createUasDialog } from './create-dialog.ts';
import { confirmDialog, dialogKey, sameDialogId, terminateDialog } from './dialog.ts';
import { DialogSet } from './dialog-set.ts';
import { baresipRequest } from './fixtures/calls.ts';
import { errorOf, header, onWire, request, response, value, via } from './fixtures/helpers.ts';
import { newBranch, newCallId, newTag } from './ids.ts';
import { buildInDialogRequest } from './in-dialog-request.ts';
import { receiveRequest, receiveResponse } from './in-dialog-receive.ts';

const TAG = 'hbl7c1e';
const dialog = () => confirmDialog(value(createUasDialog(request(baresipInvite), { localTag: TAG, localContact: 'sip:habla@203.0.113.10' })));

function answerTo(req: ReturnType<typeof request>, status: number, reason: string) {
  const lines = ['Via', 'From', 'To', 'Call-ID', 'CSeq'].map((n) => `${n}: ${header(req, n)}`).join('\n');
  return response(wire(`SIP/2.0 ${status} ${reason}\n${lines}\nContent-Length: 0\n\n`));
}

describe('dialog identity and the dialog set', () => {
  it('keys by Call-ID and both tags, case-sensitively', () => {
    const a = { callId: 'x@h', localTag: 'T', remoteTag: 'r' };
    assert.ok(sameDialogId(a, { ...a }));
    assert.equal(sameDialogId(a, { ...a, localTag: 't' }), false);
    assert.notEqual(dialogKey(a), dialogKey({ callId: 'x@hT', localTag: '', remoteTag: 'r' }));
  });

  it('stores the latest value of each dialog and finds it from either direction', () => {
    const set = new DialogSet();
    const d = dialog();
    set.set(d);
    set.set({ ...d, remoteSeq: 40000 });
    assert.equal(set.size, 1);
    assert.equal(set.get(d.id)?.remoteSeq, 40000);
    assert.equal([...set.values()].length, 1);
    assert.equal(value(set.matchRequest(request(baresipRequest(TAG, 'BYE', 40001)))).remoteSeq, 40000);
    assert.equal(errorOf(set.matchRequest(request(baresipInvite))).code, 'not_in_dialog');
    assert.equal(errorOf(set.matchRequest(request(baresipRequest('stale-tag', 'BYE', 1)))).status, 481);
    assert.ok(set.delete(d.id));
    assert.equal(set.size, 0);
  });

  it('a 481 or 408 to our request ends the dialog; a 200 to INFO does not; a foreign response is a mismatch', () => {
    const d = dialog();
    const info = value(buildInDialogRequest(d, 'INFO', { via: via('z9hG4bKi1'), body: 'Signal=1\r\n', contentType: 'application/dtmf-relay' }));
    const sent = onWire(info.request);
    assert.equal(value(receiveResponse(info.dialog, 'INFO', answerTo(sent, 200, 'OK'))).state, 'confirmed');
    assert.equal(value(receiveResponse(info.dialog, 'INFO', answerTo(sent, 100, 'Trying'))).state, 'confirmed');
    for (const [status, reason] of [[481, 'Call/Transaction Does Not Exist'], [408, 'Request Timeout']] as const) {
      assert.equal(value(receiveResponse(info.dialog, 'INFO', answerTo(sent, status, reason))).state, 'terminated');
    }
    const foreign = answerTo(request(baresipRequest('zz', 'BYE', 1)), 200, 'OK');
    assert.equal(errorOf(receiveResponse(d, 'BYE', foreign)).code, 'mismatch');
  });

  it('a terminated dialog answers further requests with 481 and builds nothing', () => {
    const ended = terminateDialog(dialog());
    assert.equal(terminateDialog(ended), ended);
    assert.equal(errorOf(receiveRequest(ended, request(baresipRequest(TAG, 'INFO', 40000)))).status, 481);
    assert.equal(errorOf(buildInDialogRequest(ended, 'OPTIONS', { via: via('z9hG4bKo') })).code, 'terminated');
  });

  it('identifiers: tags and branches are tokens, branches carry the magic cookie, randomness is injectable', () => {
    const fixed = (n: number) => new Uint8Array(n).fill(1);
    assert.equal(newTag(fixed), '0101010101010101');
    assert.equal(newBranch(fixed), 'z9hG4bK01010101010101010101');
    assert.equal(newCallId(fixed, 'habla.example.com'), `${'01'.repeat(16)}@habla.example.com`);
    assert.notEqual(newTag(), newTag());
    assert.match(newBranch(), /^z9hG4bK[0-9a-f]{20}$/);
    assert.match(newCallId(), /^[0-9a-f]{32}$/);
  });
});
