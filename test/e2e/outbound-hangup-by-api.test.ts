// Ending an outbound call from the API (POST /v1/call/{id}/hangup, a Habla extension). Answered:
// Habla sends BYE (sipp's scenario passes only if it gets one), and the response is already the
// terminal call — completed/api_hangup with its duration and recording. Still ringing: Habla
// CANCELs the INVITE and the call ends failed/api_hangup (docs/end-reasons.md). A call that is
// over answers 409 CALL_NOT_ACTIVE; an unknown one 404.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { activeSegments } from '../../src/engine/recording/audio-analysis.ts';
import { readWav } from '../../src/engine/recording/wav.ts';
import { assertSippPassed, startSipp } from '../helpers/sipp.ts';
import { callLog, downloadRecording, waitForCall, outboundCalls } from '../helpers/telephony.ts';

const outbound = outboundCalls('+349100003');

/** Polls the call log until `event` is in it. */
async function waitForLogEvent(callId: string, event: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await callLog(outbound.api, callId)).some((e) => e.event === event)) {
    if (Date.now() > deadline) throw new Error(`no ${event} in the log of call ${callId} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function hangup(callId: string): Promise<{ status: number; body: any }> {
  const response = await outbound.api.raw('POST', `/v1/call/${callId}/hangup`);
  return { status: response.status, body: await response.json() };
}

test('hanging up an answered call sends BYE and returns it completed/api_hangup', async () => {
  const callee = await startSipp({ scenario: 'uas-answer-echo-wait-bye', rtpEcho: true, timeoutMs: 20_000 });
  try {
    await outbound.explainFailure(callee, async () => {
      const callId = await outbound.callThrough(callee);
      const answered = await waitForCall(outbound.api, callId, (c) => c.status !== 'dialing', 10_000);
      assert.equal(answered.status, 'in_progress');
      await sleep(1500); // let the greeting play for a while: the recording has something to hold

      const hungUp = await hangup(callId);
      assert.equal(hungUp.status, 200, JSON.stringify(hungUp.body));
      const call = hungUp.body;
      assert.equal(call.id, callId);
      assert.deepEqual({ status: call.status, end_reason: call.end_reason }, { status: 'completed', end_reason: 'api_hangup' });
      const talked = (Date.parse(call.end_time) - Date.parse(call.start_time)) / 1000;
      assert.ok(talked >= 1.4 && talked < 5, `answered for ${talked} s`);
      assert.ok(Math.abs(call.duration - talked) <= 1, `duration ${call.duration} matches ${talked}`);
      // recording_url is signed with an expiry in whole seconds: two reads may differ in it.
      const withoutLink = ({ recording_url, ...rest }: any) => ({ ...rest, has_recording: recording_url !== null });
      assert.deepEqual(withoutLink(await outbound.api('GET', `/v1/call/${callId}`)), withoutLink(call), 'the response is the stored call');

      const sipp = await assertSippPassed(callee, 'callee waiting for our BYE');
      assert.match(sipp.messages, /^BYE sip:/m, 'the callee got our BYE');

      const log = await callLog(outbound.api, callId);
      const events = log.map((e) => e.event);
      assert.ok(events.indexOf('answered') < events.indexOf('hangup') && events.indexOf('hangup') < events.indexOf('call_ended'), events.join(', '));
      assert.equal(log.find((e) => e.event === 'hangup')?.data.by, 'agent');
      assert.deepEqual(
        (({ status, end_reason, by }) => ({ status, end_reason, by }))(log.find((e) => e.event === 'call_ended')!.data),
        { status: 'completed', end_reason: 'api_hangup', by: 'agent' },
      );

      const wav = readWav(await downloadRecording(call));
      assert.equal(wav.channels.length, 2);
      // The recording starts once its file is open, a little after the answer (~0.3 s late seen under heavy load).
      assert.ok(wav.channels[0].length / 8000 >= 1, `recording lasts ${wav.channels[0].length / 8000} s`);
      const [callerChannel, agentChannel] = wav.channels.map((samples) => activeSegments(samples, { sampleRate: 8000 }));
      assert.ok(agentChannel.length > 0, 'the agent channel holds the greeting');
      assert.ok(callerChannel.length > 0, 'the caller channel holds the greeting echoed back by the callee');

      const again = await hangup(callId);
      assert.equal(again.status, 409, JSON.stringify(again.body));
      assert.equal(again.body.error_code, 'CALL_NOT_ACTIVE');
      const after = await outbound.api('GET', `/v1/call/${callId}`);
      assert.deepEqual({ status: after.status, end_reason: after.end_reason }, { status: 'completed', end_reason: 'api_hangup' }, 'a second hangup changes nothing');
    });
  } finally {
    await callee.cleanup();
  }
});

test('hanging up a call that is still ringing CANCELs it: failed/api_hangup', async () => {
  const callee = await startSipp({ scenario: 'uas-ring-forever', timeoutMs: 15_000 });
  try {
    await outbound.explainFailure(callee, async () => {
      const callId = await outbound.callThrough(callee);
      await waitForLogEvent(callId, 'ringing');

      const hungUp = await hangup(callId);
      assert.equal(hungUp.status, 200, JSON.stringify(hungUp.body));
      assert.deepEqual({ status: hungUp.body.status, end_reason: hungUp.body.end_reason }, { status: 'failed', end_reason: 'api_hangup' });
      assert.equal(hungUp.body.start_time, null, 'never answered');

      const sipp = await assertSippPassed(callee, 'callee ringing until CANCEL');
      assert.match(sipp.messages, /^CANCEL sip:/m, 'the callee got a CANCEL');
      const events = (await callLog(outbound.api, callId)).map((e) => e.event);
      assert.ok(!events.includes('answered') && !events.includes('ring_timeout'), events.join(', '));

      const again = await hangup(callId);
      assert.deepEqual({ status: again.status, error_code: again.body.error_code }, { status: 409, error_code: 'CALL_NOT_ACTIVE' });
    });
  } finally {
    await callee.cleanup();
  }
});

test('hanging up a call that does not exist answers 404', async () => {
  const missing = await hangup('01a1ff6b-0000-7000-8000-000000000000');
  assert.equal(missing.status, 404, JSON.stringify(missing.body));
  assert.equal(missing.body.error_code, 'CALL_NOT_FOUND');
});
