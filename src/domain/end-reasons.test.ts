import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endReasonForInviteFailure, terminalStatusFor } from './end-reasons.ts';

describe('end reasons', () => {
  it('maps final INVITE answers to reasons a user can act on', () => {
    assert.equal(endReasonForInviteFailure(486), 'busy');
    assert.equal(endReasonForInviteFailure(600), 'busy');
    assert.equal(endReasonForInviteFailure(603), 'declined');
    assert.equal(endReasonForInviteFailure(480), 'unavailable');
    assert.equal(endReasonForInviteFailure(404), 'invalid_number');
    assert.equal(endReasonForInviteFailure(407), 'trunk_auth_failed');
    assert.equal(endReasonForInviteFailure(488), 'media_negotiation_failed');
    assert.equal(endReasonForInviteFailure(503), 'sip_error_503');
  });

  it('gives unanswered calls no_answer or failed, and answered calls completed', () => {
    assert.equal(terminalStatusFor('busy', false), 'no_answer');
    assert.equal(terminalStatusFor('ring_timeout', false), 'no_answer');
    assert.equal(terminalStatusFor('trunk_auth_failed', false), 'failed');
    assert.equal(terminalStatusFor('sip_error_503', false), 'failed');
    assert.equal(terminalStatusFor('server_shutdown', false), 'failed');
    assert.equal(terminalStatusFor('customer_hangup', true), 'completed');
    assert.equal(terminalStatusFor('media_timeout', true), 'completed');
    assert.equal(terminalStatusFor('server_restart', true), 'completed');
    assert.equal(terminalStatusFor('internal_error', true), 'failed');
    assert.equal(terminalStatusFor('transferred', true), 'transferred');
  });
});
