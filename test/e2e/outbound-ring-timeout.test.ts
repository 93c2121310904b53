// An outbound call the callee lets ring: with HABLA_RING_TIMEOUT_S=2 Habla gives up after about
// two seconds, CANCELs the INVITE (sipp's scenario passes only if it gets the CANCEL and our ACK
// to its 487), and the call ends no_answer/ring_timeout with ringing and ring_timeout in its log.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp } from '../helpers/sipp.ts';
import { callLog, createPublishedAgent, importNumber, startTelephonyServer, waitForCall, type HablaApi } from '../helpers/telephony.ts';

let habla: HablaProcess;
let api: HablaApi;

before(async () => ({ habla, api } = await startTelephonyServer({ HABLA_RING_TIMEOUT_S: '2' })));
after(async () => habla?.stop());

test('a callee that never answers is CANCELled after the ring timeout: no_answer/ring_timeout', async () => {
  const callee = await startSipp({ scenario: 'uas-ring-forever', timeoutMs: 15_000 });
  try {
    const agent = await createPublishedAgent(api, { greeting: 'Hola, le llamamos de la clínica.' });
    await importNumber(api, { number: '+34910000201', terminationUri: `127.0.0.1:${callee.sipPort}`, outboundAgentId: agent.agentId });
    const placedAt = Date.now();
    const placed = await api('POST', '/v1/call/', { from_number: '+34910000201', to_number: '+34600123456' });
    assert.equal(placed.status, 'dialing');

    const call = await waitForCall(api, placed.id, undefined, 10_000);
    const endedAfterMs = Date.parse(call.end_time) - placedAt;
    const sipp = await assertSippPassed(callee, 'callee ringing until CANCEL');
    assert.deepEqual({ status: call.status, end_reason: call.end_reason }, { status: 'no_answer', end_reason: 'ring_timeout' });
    assert.ok(endedAfterMs >= 1900 && endedAfterMs < 5000, `gave up after ${endedAfterMs} ms (ring timeout 2 s)`);
    assert.equal(call.start_time, null, 'never answered');
    assert.equal(call.recording_url, null);
    assert.match(sipp.messages, /^CANCEL sip:/m, 'the callee got a CANCEL');

    const log = await callLog(api, placed.id);
    const events = log.map((e) => e.event);
    const order = ['invite_sent', 'ringing', 'ring_timeout', 'call_ended'].map((e) => events.indexOf(e));
    assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1])), `invite_sent, ringing, ring_timeout, call_ended: ${events.join(', ')}`);
    assert.equal(log.find((e) => e.event === 'ringing')?.data.status_code, 180);
    assert.ok(!events.includes('answered') && !events.includes('sip_error'), `the 487 to our CANCEL is no error: ${events.join(', ')}`);
    assert.equal(log.find((e) => e.event === 'call_ended')?.data.by, 'system');
  } catch (error) {
    await callee.kill();
    console.error(`--- sipp ---\n${(await callee.exited).report}\n--- habla (tail) ---\n${habla.output().slice(-6000)}`);
    throw error;
  } finally {
    await callee.cleanup();
  }
});
