import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CALL_STATUSES, callDurationSeconds, canTransition, isCallStatus, isTerminal, statusesLeadingTo, TERMINAL_CALL_STATUSES,
} from './call-status.ts';

describe('call status machine', () => {
  it('moves a dialed call to in_progress when answered, or ends it unanswered', () => {
    assert.ok(canTransition('dialing', 'in_progress'));
    assert.ok(canTransition('dialing', 'no_answer'));
    assert.ok(canTransition('dialing', 'failed'));
    assert.ok(!canTransition('dialing', 'transferred'), 'nobody to transfer before the callee answers');
    assert.ok(!canTransition('dialing', 'completed'), 'an unanswered call is not a completed conversation');
  });

  it('ends an answered call as completed, failed or transferred, never as no_answer', () => {
    for (const to of ['completed', 'failed', 'transferred'] as const) assert.ok(canTransition('in_progress', to));
    assert.ok(!canTransition('in_progress', 'no_answer'));
    assert.ok(!canTransition('in_progress', 'dialing'));
  });

  it('never leaves a terminal status, not even to itself', () => {
    for (const from of TERMINAL_CALL_STATUSES) {
      assert.ok(isTerminal(from));
      for (const to of CALL_STATUSES) assert.ok(!canTransition(from, to), `${from} → ${to}`);
    }
    assert.ok(!isTerminal('dialing'));
    assert.ok(!isTerminal('in_progress'));
  });

  it('lists the statuses a conditional update may start from', () => {
    assert.deepEqual(statusesLeadingTo('no_answer'), ['dialing']);
    assert.deepEqual(statusesLeadingTo('failed'), ['dialing', 'in_progress']);
    assert.deepEqual(statusesLeadingTo('in_progress'), ['dialing']);
    assert.deepEqual(statusesLeadingTo('dialing'), []);
  });

  it('recognises the contract enum only', () => {
    assert.ok(isCallStatus('no_answer'));
    assert.ok(!isCallStatus('ringing'));
    assert.ok(!isCallStatus('COMPLETED'));
  });

  it('measures duration in whole seconds from answer, and none for unanswered calls', () => {
    assert.equal(callDurationSeconds('2026-01-01T10:00:00.000Z', '2026-01-01T10:01:05.400Z'), 65);
    assert.equal(callDurationSeconds('2026-01-01T10:00:00.000Z', '2026-01-01T10:00:00.600Z'), 1);
    assert.equal(callDurationSeconds(null, '2026-01-01T10:00:00.000Z'), null);
    assert.equal(callDurationSeconds('2026-01-01T10:00:05.000Z', '2026-01-01T10:00:00.000Z'), 0, 'clock skew never gives a negative duration');
  });
});
