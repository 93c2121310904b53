// Outbound calls to a trunk that is not there end failed/trunk_unreachable, never no_answer:
// - a termination_uri whose host does not resolve fails at once;
// - a trunk address where nothing answers (a UDP socket that swallows every datagram — what a
//   closed port looks like too: Node's unconnected UDP socket never surfaces the ICMP
//   port-unreachable) fails when the ring timeout (2 s here) passes without even a 100 Trying,
//   instead of waiting for timer B (32 s). Habla must keep retransmitting the INVITE meanwhile
//   and must not CANCEL (RFC 3261 §9.1: no CANCEL before a provisional response).
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, test } from 'node:test';
import type { HablaProcess } from '../helpers/server-process.ts';
import { callLog, createPublishedAgent, importNumber, startTelephonyServer, waitForCall, type HablaApi } from '../helpers/telephony.ts';

let habla: HablaProcess;
let api: HablaApi;
let agentId: string;

before(async () => {
  ({ habla, api } = await startTelephonyServer({ HABLA_RING_TIMEOUT_S: '2' }));
  ({ agentId } = await createPublishedAgent(api, { greeting: 'Hola, le llamamos de la clínica.' }));
});
after(async () => habla?.stop());

async function placeCall(number: string, terminationUri: string): Promise<string> {
  await importNumber(api, { number, terminationUri, outboundAgentId: agentId });
  const placed = await api('POST', '/v1/call/', { from_number: number, to_number: '+34600123456' });
  assert.equal(placed.status, 'dialing');
  return placed.id;
}

async function assertUnreachable(callId: string, detail: RegExp): Promise<any> {
  const call = await waitForCall(api, callId, undefined, 10_000);
  assert.deepEqual({ status: call.status, end_reason: call.end_reason }, { status: 'failed', end_reason: 'trunk_unreachable' });
  assert.equal(call.start_time, null);
  assert.equal(call.duration, null);
  const log = await callLog(api, callId);
  const events = log.map((e) => e.event);
  assert.ok(!events.includes('ringing') && !events.includes('ring_timeout') && !events.includes('answered'), events.join(', '));
  assert.match(String(log.find((e) => e.event === 'sip_error')?.data.detail), detail);
  const ended = log.find((e) => e.event === 'call_ended')?.data;
  assert.deepEqual({ status: ended?.status, end_reason: ended?.end_reason, by: ended?.by }, { status: 'failed', end_reason: 'trunk_unreachable', by: 'system' });
  return { call, events };
}

test('a trunk host that does not resolve fails the call at once: failed/trunk_unreachable', async () => {
  const placedAt = Date.now();
  const callId = await placeCall('+34910000401', 'nonexistent.invalid:5060');
  try {
    const { call, events } = await assertUnreachable(callId, /does not resolve/);
    assert.ok(Date.parse(call.end_time) - placedAt < 3000, `ended ${Date.parse(call.end_time) - placedAt} ms after placing`);
    assert.ok(!events.includes('invite_sent'), `nothing was sent: ${events.join(', ')}`);
  } catch (error) {
    console.error(`--- habla (tail) ---\n${habla.output().slice(-6000)}`);
    throw error;
  }
});

test('a trunk that never responds fails the call at the ring timeout: failed/trunk_unreachable, no CANCEL', async () => {
  const blackHole = dgram.createSocket('udp4');
  const received: string[] = [];
  blackHole.on('message', (bytes) => received.push(bytes.toString('utf8')));
  await new Promise<void>((resolve) => blackHole.bind(0, '127.0.0.1', resolve));
  try {
    const placedAt = Date.now();
    const callId = await placeCall('+34910000402', `127.0.0.1:${blackHole.address().port}`);
    const { call, events } = await assertUnreachable(callId, /no response within the ring timeout/);
    const endedAfterMs = Date.parse(call.end_time) - placedAt;
    assert.ok(endedAfterMs >= 1900 && endedAfterMs < 5000, `gave up after ${endedAfterMs} ms (ring timeout 2 s)`);
    assert.ok(events.includes('invite_sent'), events.join(', '));

    const invites = received.filter((m) => m.startsWith('INVITE '));
    assert.ok(invites.length >= 2, `the INVITE was sent and retransmitted (timer A): ${invites.length}`);
    assert.equal(new Set(invites.map((m) => /^Call-ID:\s*(.+)$/im.exec(m)?.[1])).size, 1, 'retransmissions of one INVITE');
    assert.ok(!received.some((m) => m.startsWith('CANCEL ')), 'no CANCEL before a provisional response');
  } catch (error) {
    console.error(`--- received by the trunk ---\n${received.join('\n---\n').slice(-4000)}\n--- habla (tail) ---\n${habla.output().slice(-6000)}`);
    throw error;
  } finally {
    blackHole.close();
  }
});
