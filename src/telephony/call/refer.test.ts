import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { parseMessage } from '../sip/parser.ts';
import type { SipRequest, SipResponse } from '../sip/message.ts';
import { readReferNotify, referRefused, referTargetUri, sendRefer, sipfragStatus, TRANSFER_TIMEOUT_MS, transferVerdict, type TransferResult } from './refer.ts';

function notify(headers: string[], body: string): SipRequest {
  const text = [
    'NOTIFY sip:habla@127.0.0.1:5060 SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKn1', 'From: <sip:b@x>;tag=b', 'To: <sip:a@x>;tag=a',
    'Call-ID: c1', 'CSeq: 1 NOTIFY', 'Max-Forwards: 70', ...headers, `Content-Length: ${Buffer.byteLength(body)}`, '', body,
  ].join('\r\n');
  const parsed = parseMessage(text);
  assert.ok(parsed.ok && parsed.value.kind === 'request');
  return parsed.value as SipRequest;
}

describe('REFER targets (Refer-To)', () => {
  it('puts an E.164 number at the host our calls go to, escaping a PBX extension', () => {
    assert.equal(referTargetUri('+34910000999', 'trunk.example.com:5070'), 'sip:+34910000999@trunk.example.com:5070');
    assert.equal(referTargetUri(' +34910000999#1234 ', '[2001:db8::1]'), 'sip:+34910000999%231234@[2001:db8::1]');
  });

  it('keeps a sip: URI as configured and refuses what is neither', () => {
    assert.equal(referTargetUri('sip:desk@pbx.example.com', 'trunk'), 'sip:desk@pbx.example.com');
    for (const bad of ['', 'abc', '+34 910', 'sip:a b@c', 'sip:a@b>', '+3491#x']) assert.equal(referTargetUri(bad, 'trunk'), undefined, bad);
  });
});

describe('refer NOTIFYs (message/sipfrag)', () => {
  it('reads the status line of the target call and whether the subscription ended', () => {
    assert.equal(sipfragStatus('SIP/2.0 200 OK\r\n'), 200);
    assert.equal(sipfragStatus('SIP/2.0 100 Trying'), 100);
    assert.equal(sipfragStatus('SIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n'), 486);
    assert.equal(sipfragStatus('hello'), undefined);
    const final = notify(['Event: refer', 'Subscription-State: terminated;reason=noresource', 'Content-Type: message/sipfrag'], 'SIP/2.0 200 OK\r\n');
    assert.deepEqual(readReferNotify(final), { status: 200, terminated: true });
    const progress = notify(['Event: refer;id=7', 'Subscription-State: active;expires=60', 'Content-Type: message/sipfrag'], 'SIP/2.0 180 Ringing\r\n');
    assert.deepEqual(readReferNotify(progress), { status: 180, terminated: false });
  });

  it('ignores NOTIFYs of other event packages', () => {
    assert.equal(readReferNotify(notify(['Event: dialog', 'Subscription-State: active'], '')), undefined);
    assert.equal(readReferNotify(notify([], '')), undefined);
  });
});

describe('what a refer NOTIFY decides', () => {
  it('2xx: transferred; >= 300: failed with the status; 1xx: keep waiting; ended without a final status: failed', () => {
    assert.deepEqual(transferVerdict({ status: 200, terminated: true }), { ok: true });
    assert.deepEqual(transferVerdict({ status: 202, terminated: false }), { ok: true });
    assert.deepEqual(transferVerdict({ status: 486, terminated: true }), { ok: false, reason: 'target_status_486' });
    assert.deepEqual(transferVerdict({ status: 603, terminated: false }), { ok: false, reason: 'target_status_603' });
    assert.equal(transferVerdict({ status: 100, terminated: false }), undefined);
    assert.equal(transferVerdict({ status: 180, terminated: false }), undefined);
    assert.equal(transferVerdict({ terminated: false }), undefined);
    assert.deepEqual(transferVerdict({ status: 180, terminated: true }), { ok: false, reason: 'subscription_terminated' });
  });
});

describe('which failed REFERs never started a transfer (the INVITE fallback may dial the target)', () => {
  it('a final error to the REFER, no answer to it, or an unreachable peer', () => {
    for (const reason of ['refer_rejected_405', 'refer_rejected_501', 'refer_rejected_403', 'refer_rejected_420', 'refer_rejected_488', 'refer_rejected_603', 'refer_timeout', 'refer_transport_error']) {
      assert.equal(referRefused(reason), true, reason);
    }
  });

  it('not a gone dialog (481), nor anything after the peer accepted: the target may already have rung', () => {
    for (const reason of ['refer_rejected_481', 'target_status_486', 'target_status_480', 'subscription_terminated', 'transfer_timeout', 'cancelled', 'call_ended', 'invalid_target', 'call_not_active', 'transfer_in_progress', 'refer_not_sent']) {
      assert.equal(referRefused(reason), false, reason);
    }
  });
});

describe('sendRefer timing out', () => {
  /** Runs a REFER against a peer that answers `status` (or nothing) and lets TRANSFER_TIMEOUT_MS pass. */
  async function timedOut(status?: number): Promise<TransferResult> {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const request = notify([], '') as SipRequest;
      const result = sendRefer({
        endpoint: {
          sendRequest: (_request, _peer, handlers) => {
            if (status) handlers.onResponse({ status } as SipResponse);
            return { id: 'tx1', request };
          },
        } as Parameters<typeof sendRefer>[0]['endpoint'],
        request, peer: { host: '127.0.0.1', port: 5070 }, signal: new AbortController().signal,
        emit: () => {}, waiting: () => {},
      });
      mock.timers.tick(TRANSFER_TIMEOUT_MS);
      return await result;
    } finally {
      mock.timers.reset();
    }
  }

  it('is refer_timeout when the REFER got no final answer, transfer_timeout after a 202', async () => {
    assert.deepEqual(await timedOut(), { ok: false, reason: 'refer_timeout' });
    assert.deepEqual(await timedOut(100), { ok: false, reason: 'refer_timeout' });
    assert.deepEqual(await timedOut(202), { ok: false, reason: 'transfer_timeout' });
  });
});
