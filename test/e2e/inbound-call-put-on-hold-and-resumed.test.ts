// Hold and resume by re-INVITE: a sipp caller holds the call (a=sendonly) and resumes it
// (a=sendrecv). Habla must answer each re-INVITE with the matching direction (recvonly, then
// sendrecv — the scenario checks the SDP), log hold and unhold, keep the call up, and end it
// completed/customer_hangup on the caller's BYE.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp } from '../helpers/sipp.ts';
import { callLog, createPublishedAgent, importNumber, startTelephonyServer, waitForCall, waitForCallWhere, type HablaApi } from '../helpers/telephony.ts';

let habla: HablaProcess;
let api: HablaApi;

before(async () => ({ habla, api } = await startTelephonyServer()));
after(async () => {
  await habla?.stop();
});

test('a caller holds and resumes the call with re-INVITEs; it stays up until the caller hangs up', async () => {
  const agent = await createPublishedAgent(api, { greeting: 'Hola, dígame.' });
  await importNumber(api, { number: '+34910000077', inboundAgentId: agent.agentId });
  const caller = await startSipp({ scenario: 'uac-call-hold-unhold-hangup', remote: `127.0.0.1:${habla.sipPort}`, service: '0034910000077' });
  try {
    await assertSippPassed(caller, 'caller holding and resuming');
    const inbound = await waitForCallWhere(api, 'type=inbound');
    const call = await waitForCall(api, inbound.id);
    assert.equal(call.status, 'completed');
    assert.equal(call.end_reason, 'customer_hangup');
    const events = (await callLog(api, call.id)).map((e) => e.event);
    const hold = events.indexOf('hold');
    const unhold = events.indexOf('unhold');
    assert.ok(hold > events.indexOf('answered') && unhold > hold, `hold then unhold in the call log: ${events.join(', ')}`);
    assert.equal(events.filter((e) => e === 'reinvite_received').length, 2);
  } finally {
    await caller.cleanup();
  }
});
