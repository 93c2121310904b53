// SIP over TCP (RFC 3261 §18) against real peers: sipp with `-t t1` (one TCP connection for its
// calls). Inbound: a caller dials in over TCP, presses a key, and is hung up through the API —
// our BYE must find the caller's connection (the one its INVITE came on). Outbound: a trunk
// configured as `host:port;transport=tcp` answers over TCP and hangs up; a TCP trunk that refuses
// the connection fails the call at once instead of after 32 s of timer B. Hostile TCP peers
// (garbage, a message that never ends, idle connections) get their connections closed while a
// well-formed call still works.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { espeakToUlaw, writeDtmfPcap } from '../helpers/audio-fixtures.ts';
import { freeTcpPort } from '../helpers/ports.ts';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp } from '../helpers/sipp.ts';
import { callLog, createPublishedAgent, explainSippFailure, importNumber, startTelephonyServer, waitForCall, waitForCallWhere, type HablaApi } from '../helpers/telephony.ts';

let habla: HablaProcess;
let api: HablaApi;
let agentId: string;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-tcp-'));

before(async () => {
  ({ habla, api } = await startTelephonyServer());
  ({ agentId } = await createPublishedAgent(api, { greeting: 'Hola, le llamamos de la clínica.' }));
});
after(async () => {
  await habla?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

test('inbound over TCP: answered, the key is logged, and the API hang-up sends BYE on the caller\'s connection', async () => {
  const number = '+34910000081';
  await importNumber(api, { number, inboundAgentId: agentId });
  const keys = writeDtmfPcap(path.join(work, 'key.pcap'), '5');
  const caller = await startSipp({
    scenario: 'uac-call-wait-bye', transport: 'tcp', remote: `127.0.0.1:${habla.sipPort}`, service: number,
    keys: { pcap: keys.path }, timeoutMs: 20_000,
  });
  try {
    await explainSippFailure(caller, habla, async () => {
      const created = await waitForCallWhere(api, 'type=inbound');
      const live = await waitForCall(api, created.id, (c) => c.status !== 'dialing', 5000);
      assert.equal(live.status, 'in_progress');
      await waitForLog(created.id, 'dtmf_received');

      const response = await api.raw('POST', `/v1/call/${created.id}/hangup`);
      const call = await response.json();
      assert.equal(response.status, 200, JSON.stringify(call));
      assert.deepEqual({ status: call.status, end_reason: call.end_reason }, { status: 'completed', end_reason: 'api_hangup' });

      const sipp = await assertSippPassed(caller, 'TCP caller waiting for our BYE');
      assert.match(sipp.messages, /^BYE sip:/m, 'the caller got our BYE');
      assert.match(sipp.messages, /^Via: SIP\/2\.0\/TCP /m, 'our requests name TCP in Via');
      assert.match(sipp.messages, /^Contact: <sip:habla@[^>]*;transport=tcp>/m, 'our Contact asks for TCP');
      const digits = (await callLog(api, created.id)).filter((e) => e.event === 'dtmf_received').map((e) => e.data.digit);
      assert.deepEqual(digits, ['5']);
    });
  } finally {
    await caller.cleanup();
  }
});

test('outbound over TCP: a ;transport=tcp trunk answers and hangs up; the call is completed', async () => {
  const speech = await espeakToUlaw('Hola, buenos días.', 'es', work);
  const callee = await startSipp({ scenario: 'uas-answer-play-hangup', transport: 'tcp', keys: { play: `${speech},1,0` }, vars: { hangup_after_ms: 3000 } });
  try {
    await explainSippFailure(callee, habla, async () => {
      const phone = await importNumber(api, { number: '+34910000082', terminationUri: `127.0.0.1:${callee.sipPort};transport=tcp`, outboundAgentId: agentId });
      assert.equal(phone.sip_config.termination_uri, `127.0.0.1:${callee.sipPort};transport=tcp`);
      const placed = await api('POST', '/v1/call/', { from_number: '+34910000082', to_number: '+34600123456' });
      const call = await waitForCall(api, placed.id, (c) => c.status === 'completed', 20_000);
      assert.equal(call.end_reason, 'customer_hangup');
      assert.ok(call.duration >= 2 && call.duration <= 5, `duration ${call.duration}`);
      const sipp = await assertSippPassed(callee, 'TCP callee');
      assert.match(sipp.messages, /^INVITE sip:\+34600123456@/m);
      assert.match(sipp.messages, /^Via: SIP\/2\.0\/TCP /m);
    });
  } finally {
    await callee.cleanup();
  }
});

test('outbound to a TCP trunk that refuses the connection fails at once as trunk_unreachable', async () => {
  const closedPort = await freeTcpPort();
  await importNumber(api, { number: '+34910000083', terminationUri: `127.0.0.1:${closedPort};transport=tcp`, outboundAgentId: agentId });
  const placed = await api('POST', '/v1/call/', { from_number: '+34910000083', to_number: '+34600123456' });
  // Timer B would take 32 s; a refused connection is a transport error right away.
  const call = await waitForCall(api, placed.id, (c) => c.status !== 'dialing', 10_000);
  assert.deepEqual({ status: call.status, end_reason: call.end_reason }, { status: 'failed', end_reason: 'trunk_unreachable' });
});

test('hostile TCP peers lose their connections; a well-formed call still works', async () => {
  const garbage = await Promise.all(Array.from({ length: 20 }, (_, i) => connectAndSend(habla.sipPort, Buffer.from(`\x00\xff GARBAGE ${i} \r\n\r\n`))));
  const endless = await connectAndSend(habla.sipPort, Buffer.from(`INVITE sip:x@y SIP/2.0\r\nX-Filler: ${'a'.repeat(70_000)}`));
  const noLength = await connectAndSend(habla.sipPort, Buffer.from('OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKx\r\n\r\n'));
  for (const socket of [...garbage, endless, noLength]) await closedByServer(socket, 5000);

  const number = '+34910000084';
  const phone = await importNumber(api, { number, inboundAgentId: agentId });
  const keys = writeDtmfPcap(path.join(work, 'after-hostile.pcap'), '1');
  const caller = await startSipp({
    scenario: 'uac-call-dtmf-hangup', transport: 'tcp', remote: `127.0.0.1:${habla.sipPort}`, service: number,
    keys: { pcap: keys.path }, vars: { hangup_after_ms: keys.durationMs + 500 }, timeoutMs: 15_000,
  });
  try {
    await explainSippFailure(caller, habla, () => assertSippPassed(caller, 'TCP caller after hostile peers'));
  } finally {
    await caller.cleanup();
  }
  const calls = (await api('GET', '/v1/call/?type=inbound')).data.filter((c: any) => c.phone_register_id === phone.id);
  assert.equal(calls.length, 1);
  const call = await waitForCall(api, calls[0].id, (c) => c.status === 'completed', 5000);
  assert.equal(call.end_reason, 'customer_hangup');
  assert.equal(habla.child.exitCode, null, 'the server is still up');
});

test('a TCP caller whose connection dropped mid-call still gets our BYE, at its Contact on a new connection', async () => {
  const number = '+34910000085';
  await importNumber(api, { number, inboundAgentId: agentId });
  // The caller's listening side: where its Contact points. Our BYE must arrive here.
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const contactPort = (listener.address() as net.AddressInfo).port;
  const byeReceived = new Promise<string>((resolve) => {
    listener.on('connection', (socket) => {
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk;
        if (!/\r\n\r\n/.test(text)) return;
        resolve(text);
        socket.write(okFor(text));
      });
    });
  });
  try {
    const call = net.connect({ host: '127.0.0.1', port: habla.sipPort });
    await new Promise<void>((resolve) => call.once('connect', resolve));
    let answer = '';
    call.on('data', (chunk) => (answer += chunk));
    const callId = `drop-${Date.now()}@127.0.0.1`;
    call.write(invite(number, callId, call.localPort!, contactPort));
    const deadline = Date.now() + 5000;
    while (!/^SIP\/2\.0 200 /m.test(answer)) {
      if (Date.now() > deadline) throw new Error(`no 200 to the INVITE over TCP:\n${answer}`);
      await sleep(20);
    }
    const toTag = /^To:.*;tag=([^;\s]+)/m.exec(answer)![1];
    call.write(ack(number, callId, call.localPort!, contactPort, toTag));
    await sleep(300);
    call.destroy(); // the connection is gone; the call is not

    const created = await waitForCallWhere(api, 'type=inbound&status=in_progress');
    const response = await api.raw('POST', `/v1/call/${created.id}/hangup`);
    assert.equal(response.status, 200);
    const bye = await Promise.race([byeReceived, sleep(5000).then(() => '')]);
    assert.match(bye, /^BYE sip:caller@127\.0\.0\.1:\d+;transport=tcp SIP\/2\.0/, 'our BYE reached the Contact');
    assert.match(bye, new RegExp(`^Call-ID: ${callId.replace(/[.]/g, '\\.')}`, 'm'));
    const ended = await waitForCall(api, created.id, (c) => c.status === 'completed', 5000);
    assert.equal(ended.end_reason, 'api_hangup');
    const log = (await callLog(api, created.id)).map((e) => e.event);
    assert.ok(!log.includes('bye_unanswered'), `the BYE was answered: ${log.join(', ')}`);
  } finally {
    listener.close();
  }
});

/** A minimal TCP caller's INVITE (PCMU offer; the media port receives nothing). */
function invite(number: string, callId: string, localPort: number, contactPort: number): string {
  const sdp = 'v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 39000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
  return [
    `INVITE sip:${number}@127.0.0.1:${habla.sipPort};transport=tcp SIP/2.0`,
    `Via: SIP/2.0/TCP 127.0.0.1:${localPort};branch=z9hG4bK-${callId.slice(0, 18)}`,
    'From: <sip:+34600999888@127.0.0.1>;tag=caller1',
    `To: <sip:${number}@127.0.0.1>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:caller@127.0.0.1:${contactPort};transport=tcp>`,
    'Max-Forwards: 70',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n');
}

function ack(number: string, callId: string, localPort: number, contactPort: number, toTag: string): string {
  return [
    `ACK sip:habla@127.0.0.1:${habla.sipPort};transport=tcp SIP/2.0`,
    `Via: SIP/2.0/TCP 127.0.0.1:${localPort};branch=z9hG4bK-ack-${Date.now()}`,
    'From: <sip:+34600999888@127.0.0.1>;tag=caller1',
    `To: <sip:${number}@127.0.0.1>;tag=${toTag}`,
    `Call-ID: ${callId}`,
    'CSeq: 1 ACK',
    `Contact: <sip:caller@127.0.0.1:${contactPort};transport=tcp>`,
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** 200 OK for a request: its Via, From, To, Call-ID and CSeq copied back. */
function okFor(request: string): string {
  const copied = request.split('\r\n').filter((line) => /^(Via|From|To|Call-ID|CSeq):/i.test(line));
  return ['SIP/2.0 200 OK', ...copied, 'Content-Length: 0', '', ''].join('\r\n');
}

async function waitForLog(callId: string, event: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await callLog(api, callId)).some((e) => e.event === event)) {
    if (Date.now() > deadline) throw new Error(`no ${event} in the log of call ${callId}`);
    await sleep(100);
  }
}

async function connectAndSend(port: number, bytes: Buffer): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.on('error', () => {}); // a reset from the server is the expected outcome
  socket.write(bytes);
  return socket;
}

async function closedByServer(socket: net.Socket, timeoutMs: number): Promise<void> {
  if (socket.destroyed || socket.readableEnded) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server kept a hostile connection open')), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
