import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TransferResult } from '../telephony/call/refer.ts';
import { SipCallControl, type SipCallControlDeps, type TransferableLeg } from './sip-call-control.ts';

describe('SipCallControl', () => {
  const signal = new AbortController().signal;
  const request = { target: '+34910000999', mode: 'transfer' } as const;

  function control(refer: TransferResult | undefined, bridge?: TransferResult) {
    const log: [string, unknown][] = [];
    const referred: string[] = [];
    const dialed: string[] = [];
    const leg: TransferableLeg = { transfer: async (target) => (referred.push(target), refer!) };
    const deps: SipCallControlDeps = {
      leg: () => (refer ? leg : undefined),
      bridgeTo: bridge && (async (target) => (dialed.push(target), bridge)),
      log: (event, data) => log.push([event, data]),
    };
    return { control: new SipCallControl(deps), log, referred, dialed };
  }

  it('hands a cold transfer to the leg (REFER) and maps its result', async () => {
    const done = control({ ok: true }, { ok: true });
    assert.deepEqual(await done.control.transfer(request, signal), { status: 'transferred' });
    assert.deepEqual([done.referred, done.dialed, done.log], [['+34910000999'], [], []]);
  });

  it('a refused REFER falls back to dialing the target and bridging it', async () => {
    const bridged = control({ ok: false, reason: 'refer_rejected_405' }, { ok: true });
    assert.deepEqual(await bridged.control.transfer(request, signal), { status: 'transferred' });
    assert.deepEqual(bridged.dialed, ['+34910000999']);
    assert.deepEqual(bridged.log, [['transfer_refused', { reason: 'refer_rejected_405' }]]);

    const busy = control({ ok: false, reason: 'refer_timeout' }, { ok: false, reason: 'target_status_486' });
    assert.deepEqual(await busy.control.transfer(request, signal), { status: 'failed', reason: 'target_status_486' });
    assert.deepEqual(busy.log.map(([event]) => event), ['transfer_refused', 'transfer_failed']);
    assert.deepEqual(busy.log[1], ['transfer_failed', { reason: 'target_status_486' }]);
  });

  it('a target that failed after the peer accepted the REFER is not dialed again', async () => {
    const notified = control({ ok: false, reason: 'target_status_486' }, { ok: true });
    assert.deepEqual(await notified.control.transfer(request, signal), { status: 'failed', reason: 'target_status_486' });
    assert.deepEqual(notified.dialed, []);
    assert.deepEqual(notified.log, [['transfer_failed', { reason: 'target_status_486' }]]);
  });

  it('a refused REFER without a trunk to dial through (inbound-only number) fails with the refusal', async () => {
    const noTrunk = control({ ok: false, reason: 'refer_rejected_501' });
    assert.deepEqual(await noTrunk.control.transfer(request, signal), { status: 'failed', reason: 'refer_rejected_501' });
  });

  it('fails without a live leg', async () => {
    assert.deepEqual(await control(undefined, { ok: true }).control.transfer(request, signal), { status: 'failed', reason: 'call_not_active' });
  });

  it('transfer_type invite dials and bridges the target at once, without a REFER', async () => {
    const invite = control({ ok: true }, { ok: true });
    assert.deepEqual(await invite.control.transfer({ ...request, mode: 'invite' }, signal), { status: 'transferred' });
    assert.deepEqual([invite.referred, invite.dialed, invite.log], [[], ['+34910000999'], []]);

    const busy = control({ ok: true }, { ok: false, reason: 'target_status_486' });
    assert.deepEqual(await busy.control.transfer({ ...request, mode: 'invite' }, signal), { status: 'failed', reason: 'target_status_486' });
    const noTrunk = control({ ok: true });
    assert.deepEqual(await noTrunk.control.transfer({ ...request, mode: 'invite' }, signal), { status: 'failed', reason: 'no_outbound_trunk' });
    assert.deepEqual(noTrunk.referred, []);
  });
});
