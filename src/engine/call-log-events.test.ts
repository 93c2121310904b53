import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callLogEntry } from './call-log-events.ts';

describe('call-log categories', () => {
  it('a transfer (REFER, INVITE fallback, bridge) is TRANSFER; keys pressed USER; the rest CALL_LIFECYCLE', () => {
    const category = (event: string) => callLogEntry(event, undefined).category;
    for (const event of ['transfer_requested', 'transfer_refused', 'transfer_fallback_invite', 'transfer_target_ringing', 'transfer_bridged', 'transfer_bridge_ended', 'transfer_failed', 'transferred']) {
      assert.equal(category(event), 'TRANSFER', event);
    }
    assert.deepEqual([category('dtmf_received'), category('auth_challenge'), category('call_ended')], ['USER', 'SECURITY', 'CALL_LIFECYCLE']);
  });
});
