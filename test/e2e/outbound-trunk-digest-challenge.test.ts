// Outbound calls through a trunk that demands digest authentication (401 + WWW-Authenticate).
// With the phone's username/password Habla re-sends the INVITE once with credentials and the call
// goes on as usual (completed/customer_hangup). A trunk that refuses the credentials — 403 to the
// authenticated INVITE, or a second 401 — or a challenge to a phone with no credentials ends the
// call failed/trunk_auth_failed without a retry loop. The trunk password never reaches the log.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertSippPassed, startSipp, type SippResult } from '../helpers/sipp.ts';
import { callLog, waitForCall, outboundCalls } from '../helpers/telephony.ts';

const USERNAME = 'habla-trunk-user';
const PASSWORD = 'Tr0nk-s3cr3t-9f4e2b';
const WRONG_PASSWORD = 'Wr0ng-s3cr3t-77a1c0';

const outbound = outboundCalls('+349100001');

/** The INVITEs sipp received, in order (its message trace). */
function invitesReceived(result: SippResult): string[] {
  return result.messages.split(/-{10,}/).filter((block) => /received/i.test(block) && /^\s*INVITE sip:/m.test(block));
}

function assertNoSecretsInOutput(): void {
  for (const secret of [PASSWORD, WRONG_PASSWORD]) assert.ok(!outbound.habla.output().includes(secret), 'the trunk password never reaches the server output');
}

test('challenged INVITE is re-sent with the right credentials, answered, and completed by the callee', async () => {
  const trunk = await startSipp({ scenario: 'uas-401-then-answer', keys: { auth_user: USERNAME, auth_password: PASSWORD }, vars: { hangup_after_ms: 1500 }, timeoutMs: 15_000 });
  try {
    await outbound.explainFailure(trunk, async () => {
      const callId = await outbound.callThrough(trunk, { username: USERNAME, password: PASSWORD });
      const call = await waitForCall(outbound.api, callId, (c) => c.status === 'completed' || c.status === 'failed' || c.status === 'no_answer', 15_000);
      const sipp = await assertSippPassed(trunk, 'trunk challenging then answering');
      assert.equal(call.status, 'completed');
      assert.equal(call.end_reason, 'customer_hangup');
      assert.ok(call.start_time, 'answered');
      const talked = (Date.parse(call.end_time) - Date.parse(call.start_time)) / 1000;
      assert.ok(talked > 1 && talked < 4, `answered for ${talked} s (callee hangs up after 1.5 s)`);

      const invites = invitesReceived(sipp);
      assert.equal(invites.length, 2, `one INVITE, one retry: ${invites.length}`);
      assert.doesNotMatch(invites[0], /^Authorization:/im, 'the first INVITE carries no credentials');
      assert.match(invites[1], new RegExp(`^Authorization:\\s*Digest .*username="${USERNAME}"`, 'im'), 'the retry answers the challenge');

      const log = await callLog(outbound.api, callId);
      const events = log.map((e) => e.event);
      const challenged = events.indexOf('auth_challenge');
      assert.ok(challenged >= 0 && challenged < events.indexOf('answered'), `auth_challenge then answered: ${events.join(', ')}`);
      assert.equal(log.find((e) => e.event === 'auth_challenge')?.data.status_code, 401);
      const sent = log.filter((e) => e.event === 'invite_sent').map((e) => e.data.authenticated);
      assert.deepEqual(sent, [false, true], 'invite_sent, then invite_sent with credentials');
      assert.ok(!events.includes('sip_error'), `no sip_error: ${events.join(', ')}`);
      assertNoSecretsInOutput();
    });
  } finally {
    await trunk.cleanup();
  }
});

test('credentials the trunk refuses with 403 end the call failed/trunk_auth_failed', async () => {
  const trunk = await startSipp({ scenario: 'uas-401-then-answer', keys: { auth_user: USERNAME, auth_password: PASSWORD }, vars: { hangup_after_ms: 1500 }, timeoutMs: 15_000 });
  try {
    await outbound.explainFailure(trunk, async () => {
      const callId = await outbound.callThrough(trunk, { username: USERNAME, password: WRONG_PASSWORD });
      const call = await waitForCall(outbound.api, callId, undefined, 10_000);
      assert.deepEqual({ status: call.status, end_reason: call.end_reason }, { status: 'failed', end_reason: 'trunk_auth_failed' });
      assert.equal(call.start_time, null);

      // The scenario counts wrong credentials as its own failed call (exit 1) once it has our ACK to the 403.
      const sipp = await trunk.exited;
      assert.equal(sipp.code, 1, `sipp rejected the credentials:\n${sipp.report}`);
      assert.deepEqual({ created: sipp.stats.created, failed: sipp.stats.failed }, { created: 1, failed: 1 }, sipp.report);
      assert.match(sipp.messages, /SIP\/2\.0 403 Forbidden/, 'the trunk answered 403 to the retry');
      const invites = invitesReceived(sipp);
      assert.equal(invites.length, 2, `exactly one retry: ${invites.length}`);
      assert.match(invites[1], new RegExp(`^Authorization:\\s*Digest .*username="${USERNAME}"`, 'im'));

      const log = await callLog(outbound.api, callId);
      const events = log.map((e) => e.event);
      assert.ok(events.includes('auth_challenge') && !events.includes('answered'), events.join(', '));
      assert.equal(log.find((e) => e.event === 'sip_error')?.data.status_code, 403);
      assert.equal(log.find((e) => e.event === 'call_ended')?.data.end_reason, 'trunk_auth_failed');
      assertNoSecretsInOutput();
    });
  } finally {
    await trunk.cleanup();
  }
});

test('a second 401 to the authenticated INVITE ends the call failed/trunk_auth_failed, without a retry loop', async () => {
  const trunk = await startSipp({ scenario: 'uas-401-always', timeoutMs: 15_000 });
  try {
    await outbound.explainFailure(trunk, async () => {
      const callId = await outbound.callThrough(trunk, { username: USERNAME, password: WRONG_PASSWORD });
      const call = await waitForCall(outbound.api, callId, undefined, 10_000);
      const sipp = await assertSippPassed(trunk, 'trunk challenging twice');
      assert.deepEqual({ status: call.status, end_reason: call.end_reason }, { status: 'failed', end_reason: 'trunk_auth_failed' });
      assert.equal(invitesReceived(sipp).length, 2, 'one retry, no more');

      const log = await callLog(outbound.api, callId);
      assert.equal(log.filter((e) => e.event === 'invite_sent').length, 2);
      assert.equal(log.filter((e) => e.event === 'auth_challenge').length, 1, 'only the first challenge is answered');
      assert.equal(log.find((e) => e.event === 'sip_error')?.data.status_code, 401);
      assertNoSecretsInOutput();
    });
  } finally {
    await trunk.cleanup();
  }
});

test('a challenge to a phone without credentials ends the call failed/trunk_auth_failed at once', async () => {
  const trunk = await startSipp({ scenario: 'uas-401-once', timeoutMs: 15_000 });
  try {
    await outbound.explainFailure(trunk, async () => {
      const callId = await outbound.callThrough(trunk, {});
      const call = await waitForCall(outbound.api, callId, undefined, 10_000);
      await assertSippPassed(trunk, 'trunk challenging once');
      assert.deepEqual({ status: call.status, end_reason: call.end_reason }, { status: 'failed', end_reason: 'trunk_auth_failed' });

      const log = await callLog(outbound.api, callId);
      const events = log.map((e) => e.event);
      assert.equal(events.filter((e) => e === 'invite_sent').length, 1, `no retry without credentials: ${events.join(', ')}`);
      assert.ok(!events.includes('auth_challenge'), events.join(', '));
      assert.equal(log.find((e) => e.event === 'sip_error')?.data.status_code, 401);
    });
  } finally {
    await trunk.cleanup();
  }
});
