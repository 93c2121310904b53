/**
 * Hostile input: random bytes and mutated real messages through every dialog entry point.
 * Nothing throws, every error has a known code, and whatever dialog a hostile peer manages
 * to create still yields requests and responses we can put on the wire.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { baresipInvite, trunk401 } from '../fixtures/real-world.ts';
import type { SipMessage, SipRequest, SipResponse } from '../message.ts';
import { parseMessage } from '../parser.ts';
import { serializeMessage } from '../serializer.ts';
import { createUacDialog, createUasDialog, updateUacDialog } from './create-dialog.ts';
import { confirmDialog, type Dialog } from './dialog.ts';
import { DialogSet } from './dialog-set.ts';
import { buildAuthenticatedRequest } from './digest-retry.ts';
import type { DialogError } from './errors.ts';
import { baresipAck, baresipRequest, carrier200, carrierInvite, sippUasResponse, strictRouterInvite } from './fixtures/calls.ts';
import { value, via } from './fixtures/helpers.ts';
import { buildAck, buildBye, buildInDialogRequest } from './in-dialog-request.ts';
import { ackMatches, receiveRequest, receiveResponse } from './in-dialog-receive.ts';
import { buildDialogResponse, rejectRequest } from './uas-responses.ts';
import { buildInvite } from './uac-requests.ts';

const CODES = new Set(['bad_message', 'missing_tag', 'missing_contact', 'not_dialog_creating', 'cseq_out_of_order', 'unknown_dialog',
  'not_in_dialog', 'mismatch', 'terminated', 'auth_rejected', 'wrong_state', 'bad_input']);

const OUR_INVITE = value(parseMessage(serializeMessage(value(buildInvite({
  requestUri: 'sip:service@127.0.0.1:5060', from: { uri: 'sip:+34911234567@habla.example.com' }, fromTag: 'hb1',
  to: { uri: 'sip:service@127.0.0.1:5060' }, callId: 'c1d2e3f4@10.0.0.5', via: via('z9hG4bKinv1'), contact: 'sip:habla@203.0.113.10:5060',
}))))) as SipRequest;

const TAG = 'hbl7c1e';
const BARESIP = value(parseMessage(baresipInvite)) as SipRequest;
const SEEDS = [baresipInvite, carrierInvite, strictRouterInvite, baresipAck(TAG), baresipRequest(TAG, 'INVITE', 33915), baresipRequest(TAG, 'BYE', 33916),
  sippUasResponse(OUR_INVITE, 180), sippUasResponse(OUR_INVITE, 200), carrier200(OUR_INVITE), trunk401];
const SPECIALS = [';tag=', 'tag', ';', ',', '<', '>', '"', ' ', '\r\n', ':', '@', 'sips:', 'tel:', ';lr', '?a=b', '\0', '\xff', '99999999999', 'CSeq: 1 ACK\r\n', 'Record-Route: <sip:x>\r\n'];

function checkError(r: { ok: true } | { ok: false; error: DialogError }): void {
  if (!r.ok) {
    assert.ok(CODES.has(r.error.code), r.error.code);
    if (r.error.status !== undefined) assert.ok([400, 481, 500].includes(r.error.status));
  }
}

/** Anything we build from a dialog must serialize without the serializer's exception. */
function useDialog(d: Dialog, incoming?: SipRequest): void {
  const confirmed = confirmDialog(d);
  for (const r of [buildBye(confirmed, { via: via('z9hG4bKf1') }), buildInDialogRequest(confirmed, 'INVITE', { via: via('z9hG4bKf2'), body: 'v=0' })]) {
    checkError(r);
    if (r.ok) serializeMessage(r.value.request);
  }
  const ack = buildAck(confirmed, { via: via('z9hG4bKf3') });
  if (ack.ok) serializeMessage(ack.value);
  if (incoming) for (const status of [100, 180, 200, 486]) serializeMessage(buildDialogResponse(incoming, d, status, { sdp: 'v=0' }));
}

function exercise(bytes: Uint8Array): void {
  const parsed = parseMessage(bytes);
  if (!parsed.ok) return;
  const msg: SipMessage = parsed.value;
  const set = new DialogSet();
  const base = value(createUasDialog(BARESIP, { localTag: TAG, localContact: 'sip:habla@203.0.113.10' }));
  set.set(confirmDialog(base));
  if (msg.kind === 'request') {
    const created = createUasDialog(msg, { localTag: 'x1', localContact: 'sip:habla@203.0.113.10' });
    checkError(created);
    if (created.ok) useDialog(created.value, msg);
    const matched = set.matchRequest(msg);
    checkError(matched);
    if (!matched.ok && matched.error.status) serializeMessage(rejectRequest(msg, matched.error, 'x2'));
    const received = receiveRequest(confirmDialog(base), msg);
    checkError(received);
    if (received.ok) useDialog(received.value, msg);
    else if (received.error.status) serializeMessage(rejectRequest(msg, received.error));
    ackMatches(base, msg);
  } else {
    const res: SipResponse = msg;
    const created = createUacDialog(OUR_INVITE, res);
    checkError(created);
    if (created.ok) {
      useDialog(created.value);
      const updated = updateUacDialog(created.value, res);
      checkError(updated);
      if (updated.ok) useDialog(updated.value);
      checkError(receiveResponse(created.value, 'INVITE', res));
    }
    checkError(set.matchResponse(res));
    const retry = buildAuthenticatedRequest(OUR_INVITE, res, { username: 'u', password: 'p' }, { via: via('z9hG4bKr'), cnonce: 'c' });
    checkError(retry);
    if (retry.ok) serializeMessage(retry.value);
  }
}

const mutated = fc.tuple(fc.constantFrom(...SEEDS), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 6 }), fc.constantFrom(...SPECIALS)), { minLength: 1, maxLength: 5 }))
  .map(([seed, edits]) => {
    let text = seed.toString('latin1');
    for (const [at, cut, insert] of edits) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + insert + text.slice(i + cut);
    }
    return Buffer.from(text, 'latin1');
  });

describe('hostile input through the dialog layer', () => {
  it('every seed message goes through cleanly', () => {
    for (const seed of SEEDS) exercise(seed);
  });

  it('mutated real messages never throw and every error is a known code', () => {
    fc.assert(fc.property(mutated, (bytes) => exercise(bytes)), { numRuns: 1500 });
  });

  it('random bytes never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => exercise(bytes)), { numRuns: 500 });
  });

  it('bogus CSeq values in the dialog are refused, not trusted', () => {
    const dialog = confirmDialog(value(createUasDialog(BARESIP, { localTag: TAG, localContact: 'sip:habla@203.0.113.10' })));
    for (const cseq of ['-1 BYE', 'abc BYE', '2147483648 BYE', '33915 INVITE', '33915', '1 BYE']) {
      const text = baresipRequest(TAG, 'BYE', 33915).toString().replace('CSeq: 33915 BYE', `CSeq: ${cseq}`);
      const msg = parseMessage(Buffer.from(text));
      assert.ok(msg.ok && msg.value.kind === 'request');
      const r = receiveRequest(dialog, msg.value);
      assert.ok(!r.ok, cseq);
      assert.ok(r.error.status === 400 || r.error.status === 500, `${cseq} → ${r.error.status}`);
    }
    const near = { ...dialog, localSeq: 2 ** 31 - 1 };
    assert.equal(buildBye(near, { via: via('z9hG4bKmax') }).ok, false);
  });
});
