import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TransferResult } from '../telephony/call/refer.ts';
import type { HangupSide, LegEnd, LegListener } from '../telephony/call/types.ts';
import type { CallMedia } from '../telephony/media/types.ts';
import { asCallMedia, ManualMedia } from './bridge-test-support.ts';
import { InviteTransfer, type InviteTransferHost, type TargetLeg } from './invite-transfer.ts';
import { bridgedCallEnd, endAfterTarget, targetFailureReason, targetLogEntry } from './invite-transfer-rules.ts';

/** A transfer whose dialer hands back a leg the test drives through its listener. */
function transfer(options: { legArrives?: Promise<void> } = {}) {
  const customer = new ManualMedia();
  const log: [string, Record<string, unknown> | undefined][] = [];
  const calls = { bridged: 0, targetEnded: [] as { reason: string; by: HangupSide }[], hangups: [] as [string, HangupSide][] };
  const host: InviteTransferHost = {
    customer,
    log: (event, data) => log.push([event, data]),
    onBridged: () => (calls.bridged += 1),
    onTargetEnded: (end) => calls.targetEnded.push(end),
  };
  const leg: TargetLeg = { hangup: async (reason, by) => void calls.hangups.push([reason, by]) };
  let listener!: LegListener<CallMedia>;
  const it = new InviteTransfer(host);
  const result: Promise<TransferResult> = it.dial(async (_target, l) => {
    listener = l;
    await options.legArrives;
    return leg;
  }, '+34910000999');
  return { it, result, customer, log, calls, target: () => listener };
}

const ended = (end: Partial<LegEnd>): LegEnd => ({ reason: 'customer_hangup', by: 'customer', answered: true, ...end });

describe('InviteTransfer', () => {
  it('target answers: bridged (audio flows), then the target hangs up and the customer is to be hung up', async () => {
    const t = transfer();
    await Promise.resolve();
    t.target().onEvent?.({ event: 'invite_sent', data: { trunk: '127.0.0.1:5070', authenticated: false } });
    t.target().onEvent?.({ event: 'ringing', data: { status_code: 180 } });
    const targetMedia = new ManualMedia();
    t.target().onAnswered(asCallMedia(targetMedia));
    assert.deepEqual(await t.result, { ok: true });
    assert.equal(t.calls.bridged, 1);
    assert.equal(t.it.wasBridged, true);
    t.customer.tick(new Int16Array(160).fill(9));
    targetMedia.send();
    assert.equal(targetMedia.sent[0][0], 9);
    t.target().onDtmf?.('3');
    assert.deepEqual(t.customer.digits, ['3']);

    t.target().onEnded(ended({}));
    assert.deepEqual(t.calls.targetEnded, [{ reason: 'transferred', by: 'agent' }]);
    assert.deepEqual(t.log.map(([event]) => event), ['transfer_fallback_invite', 'transfer_target_ringing', 'transfer_bridged', 'transfer_bridge_ended']);
    const bridgeEnded = t.log.at(-1)![1]!;
    assert.equal(bridgeEnded.by, 'target');
    assert.equal(bridgeEnded.frames_to_target, 1);
    assert.equal(bridgeEnded.digits_relayed, 1);
    // The customer's leg ending afterwards changes nothing more.
    await t.it.end('transferred', 'agent');
    assert.deepEqual([t.calls.hangups, t.log.length], [[], 4]);
  });

  it('target busy, unanswered or failing: the transfer fails with the reason and nothing is bridged', async () => {
    const busy = transfer();
    await Promise.resolve();
    busy.target().onEnded(ended({ reason: 'busy', by: 'system', answered: false, sipStatus: 486 }));
    assert.deepEqual(await busy.result, { ok: false, reason: 'target_status_486' });
    const silent = transfer();
    await Promise.resolve();
    silent.target().onEnded(ended({ reason: 'ring_timeout', by: 'system', answered: false }));
    assert.deepEqual(await silent.result, { ok: false, reason: 'target_ring_timeout' });
    assert.deepEqual([busy.calls.bridged, silent.calls.bridged, busy.calls.targetEnded], [0, 0, []]);
  });

  it('the call ends while the target rings: CANCEL (the leg hangs up), the transfer fails call_ended, a late answer is ignored', async () => {
    const t = transfer();
    await Promise.resolve();
    await t.it.end('customer_hangup', 'customer');
    assert.deepEqual(await t.result, { ok: false, reason: 'call_ended' });
    assert.deepEqual(t.calls.hangups, [['customer_hangup', 'customer']]);
    t.target().onAnswered(asCallMedia(new ManualMedia()));
    t.target().onEnded(ended({ reason: 'customer_hangup', answered: false }));
    assert.deepEqual([t.calls.bridged, t.calls.targetEnded, t.it.wasBridged], [0, [], false]);
  });

  it('an end asked for before the leg exists (trunk name still resolving) reaches the leg once it does', async () => {
    let arrive!: () => void;
    const t = transfer({ legArrives: new Promise((resolve) => (arrive = resolve)) });
    await Promise.resolve();
    await t.it.end('server_shutdown', 'system');
    assert.deepEqual(t.calls.hangups, []);
    arrive();
    assert.deepEqual(await t.result, { ok: false, reason: 'call_ended' });
    assert.deepEqual(t.calls.hangups, [['server_shutdown', 'system']]);
  });

  it('bridged, then our side ends (customer hung up, or shutdown): the target gets its BYE and the log says who', async () => {
    const byCustomer = transfer();
    await Promise.resolve();
    byCustomer.target().onAnswered(asCallMedia(new ManualMedia()));
    await byCustomer.it.end('customer_hangup', 'customer');
    byCustomer.target().onEnded(ended({ reason: 'customer_hangup', by: 'customer' })); // our BYE's own end
    assert.deepEqual(byCustomer.calls.hangups, [['customer_hangup', 'customer']]);
    assert.deepEqual(byCustomer.calls.targetEnded, []);
    assert.equal(byCustomer.log.at(-1)![1]!.by, 'customer');

    const byShutdown = transfer();
    await Promise.resolve();
    byShutdown.target().onAnswered(asCallMedia(new ManualMedia()));
    await byShutdown.it.end('server_shutdown', 'system');
    assert.deepEqual(byShutdown.calls.hangups, [['server_shutdown', 'system']]);
    assert.deepEqual([byShutdown.log.at(-1)![1]!.by, byShutdown.log.at(-1)![1]!.reason], ['system', 'server_shutdown']);
  });
});

describe('what a bridged transfer means for the call record', () => {
  it('a bridged call ends transferred; end_reason transferred when a person hung up, else the reason Habla cut it', () => {
    assert.deepEqual(bridgedCallEnd(ended({})), { status: 'transferred', reason: 'transferred' });
    assert.deepEqual(bridgedCallEnd(ended({ reason: 'transferred', by: 'agent' })), { status: 'transferred', reason: 'transferred' });
    for (const reason of ['server_shutdown', 'media_timeout', 'max_duration_reached', 'api_hangup']) {
      assert.deepEqual(bridgedCallEnd(ended({ reason, by: 'system' })), { status: 'transferred', reason });
    }
  });

  it('the target side ending: its BYE → transferred by agent; a dead target media → media_timeout by system', () => {
    assert.deepEqual(endAfterTarget(ended({})), { reason: 'transferred', by: 'agent', endedBy: 'target' });
    assert.deepEqual(endAfterTarget(ended({ reason: 'media_timeout', by: 'system' })), { reason: 'media_timeout', by: 'system', endedBy: 'system' });
  });

  it('a failed dial names the target status when there was one', () => {
    assert.equal(targetFailureReason(ended({ reason: 'declined', answered: false, sipStatus: 603 })), 'target_status_603');
    assert.equal(targetFailureReason(ended({ reason: 'trunk_unreachable', answered: false })), 'target_trunk_unreachable');
    assert.equal(targetFailureReason(ended({ reason: 'ring_timeout', answered: false })), 'target_ring_timeout');
    assert.equal(targetFailureReason(ended({ reason: 'invalid_target', answered: false })), 'invalid_target');
  });

  it("the target leg's events are prefixed; its answer and hang-up are left to the bridge's own entries; its digits are not logged", () => {
    assert.deepEqual(targetLogEntry({ event: 'invite_sent', data: { trunk: 'x:5060' } }), { event: 'transfer_fallback_invite', level: undefined, data: { trunk: 'x:5060' } });
    assert.deepEqual(targetLogEntry({ event: 'sip_error', level: 'WARNING', data: { status_code: 486 } }), { event: 'transfer_target_sip_error', level: 'WARNING', data: { status_code: 486 } });
    assert.deepEqual(targetLogEntry({ event: 'dtmf_received', data: { digit: '4', via: 'rfc4733' } }), { event: 'transfer_target_dtmf_received', level: undefined, data: { via: 'rfc4733' } });
    assert.equal(targetLogEntry({ event: 'answered', data: { codec: 'PCMU' } }), undefined);
    assert.equal(targetLogEntry({ event: 'hangup', data: { by: 'customer' } }), undefined);
  });
});
