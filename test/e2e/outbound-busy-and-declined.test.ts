// Outbound calls the callee (or its carrier) refuses with a final response before answering:
// each SIP status must become the end_reason and status a user filters on — 486 busy and
// 603 declined are no_answer (the person was reached but did not take the call), a 503 from the
// carrier is a failure (failed / sip_error_503). The call is never answered: no start_time, no
// recording, no `answered` in the call log; and sipp (the callee) must get our ACK.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertSippPassed, startSipp, type SippOptions } from '../helpers/sipp.ts';
import { callLog, waitForCall, outboundCalls } from '../helpers/telephony.ts';

const outbound = outboundCalls('+349100000');

const refusals: { name: string; sipp: SippOptions; status: number; expected: { status: string; end_reason: string } }[] = [
  { name: '486 Busy Here', sipp: { scenario: 'uas-busy' }, status: 486, expected: { status: 'no_answer', end_reason: 'busy' } },
  {
    name: '603 Decline',
    sipp: { scenario: 'uas-decline' },
    status: 603,
    expected: { status: 'no_answer', end_reason: 'declined' },
  },
  {
    name: '503 Service Unavailable',
    sipp: { scenario: 'uas-service-unavailable' },
    status: 503,
    expected: { status: 'failed', end_reason: 'sip_error_503' },
  },
];

for (const refusal of refusals) {
  test(`a ${refusal.name} before answer ends the call ${refusal.expected.status}/${refusal.expected.end_reason}`, async () => {
    const callee = await startSipp({ ...refusal.sipp, timeoutMs: 15_000 });
    try {
      await outbound.explainFailure(callee, async () => {
        const callId = await outbound.callThrough(callee);
        const call = await waitForCall(outbound.api, callId, undefined, 10_000);
        await assertSippPassed(callee, `callee answering ${refusal.status}`);
        assert.deepEqual({ status: call.status, end_reason: call.end_reason }, refusal.expected);
        assert.equal(call.start_time, null, 'never answered: no start_time');
        assert.ok(!call.duration, `no talk time: ${call.duration}`);
        assert.ok(call.end_time, 'the end is recorded');
        assert.equal(call.recording_url, null, 'nothing to record');

        const log = await callLog(outbound.api, callId);
        const events = log.map((e) => e.event);
        assert.ok(!events.includes('answered'), `not answered: ${events.join(', ')}`);
        const sipError = log.find((e) => e.event === 'sip_error');
        assert.equal(sipError?.data.status_code, refusal.status, `sip_error carries the status: ${JSON.stringify(sipError)}`);
        const ended = log.find((e) => e.event === 'call_ended');
        assert.deepEqual({ status: ended?.data.status, end_reason: ended?.data.end_reason }, refusal.expected);
        assert.ok(events.indexOf('invite_sent') < events.indexOf('sip_error'), `order: ${events.join(', ')}`);
      });
    } finally {
      await callee.cleanup();
    }
  });
}
