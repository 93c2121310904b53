// A graceful stop (SIGTERM, as systemd or `docker stop` sends) leaves no call behind: the
// answered call gets a BYE, the ringing one a CANCEL, INVITEs arriving meanwhile get 503,
// and the process exits 0 within seconds. The calls end server_shutdown (not server_restart:
// nothing is left for the next start to recover).
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { after, test } from 'node:test';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp, type SippRun } from '../helpers/sipp.ts';
import { callLog, createPublishedAgent, importNumber, startTelephonyServer, waitForCall, type HablaApi } from '../helpers/telephony.ts';

const started: HablaProcess[] = [];
const callees: SippRun[] = [];

after(async () => {
  for (const callee of callees) await callee.cleanup();
  for (const habla of started) await habla.stop();
  for (const dataDir of new Set(started.map((h) => h.dataDir))) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Sends a fresh INVITE every `everyMs`; `finals[n - 1]` is the final status of the n-th one. */
async function inviteProber(sipPort: number, number: string, everyMs = 20) {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const finals: (number | undefined)[] = [];
  socket.on('message', (bytes) => {
    const text = bytes.toString('latin1');
    const status = Number(/^SIP\/2\.0 (\d{3}) /.exec(text)?.[1]);
    const n = Number(/\r\nCall-ID: drain-(\d+)-/i.exec(text)?.[1]);
    if (status >= 200 && n > 0) finals[n - 1] = status;
  });
  const port = socket.address().port;
  let n = 0;
  const send = () => {
    n += 1;
    const invite =
      `INVITE sip:${number}@127.0.0.1:${sipPort} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-drain-${n}-${process.pid}\r\n` +
      `From: <sip:+34600111222@127.0.0.1:${port}>;tag=prober${n}\r\nTo: <sip:${number}@127.0.0.1:${sipPort}>\r\n` +
      `Call-ID: drain-${n}-${process.pid}@127.0.0.1\r\nCSeq: 1 INVITE\r\nContact: <sip:prober@127.0.0.1:${port}>\r\n` +
      'Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n';
    socket.send(invite, sipPort, '127.0.0.1');
  };
  const timer = setInterval(send, everyMs);
  send();
  return {
    finals,
    sent: () => n,
    async stop() {
      clearInterval(timer);
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

async function waitForLogEvent(api: HablaApi, callId: string, event: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if ((await callLog(api, callId)).some((e) => e.event === event)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`call ${callId} never logged ${event}`);
}

test('SIGTERM: live calls get BYE / CANCEL and end server_shutdown, new INVITEs get 503, exit 0', async () => {
  const { habla, api } = await startTelephonyServer();
  started.push(habla);
  // The callee takes 300 ms to answer our BYE: the drain lasts at least that long.
  const answeredCallee = await startSipp({ scenario: 'uas-answer-wait-bye-slow-ok', vars: { bye_ok_after_ms: 300 } });
  const ringingCallee = await startSipp({ scenario: 'uas-ring-forever' });
  callees.push(answeredCallee, ringingCallee);

  const agent = await createPublishedAgent(api, { greeting: 'Hola, le llamamos de la clínica.' });
  await importNumber(api, { number: '+34910000021', terminationUri: `127.0.0.1:${answeredCallee.sipPort}`, outboundAgentId: agent.agentId });
  await importNumber(api, { number: '+34910000022', terminationUri: `127.0.0.1:${ringingCallee.sipPort}`, outboundAgentId: agent.agentId });
  const answered = await api('POST', '/v1/call/', { from_number: '+34910000021', to_number: '+34600123456' });
  const ringing = await api('POST', '/v1/call/', { from_number: '+34910000022', to_number: '+34600654321' });
  await waitForCall(api, answered.id, (c) => c.status === 'in_progress');
  await waitForLogEvent(api, ringing.id, 'ringing');

  const exited = once(habla.child, 'exit');
  const signalledAt = performance.now();
  habla.child.kill('SIGTERM');
  const prober = await inviteProber(habla.sipPort, '+34910000021');
  const [code] = await exited;
  const exitMs = performance.now() - signalledAt;
  await prober.stop();
  console.log(`exit ${code} ${Math.round(exitMs)} ms after SIGTERM; ${prober.sent()} INVITEs sent meanwhile, finals: ${JSON.stringify(prober.finals)}`);

  assert.equal(code, 0, habla.output());
  assert.ok(exitMs < 5000, `exited ${Math.round(exitMs)} ms after SIGTERM`);
  await assertSippPassed(answeredCallee, 'answered callee (BYE from Habla)');
  await assertSippPassed(ringingCallee, 'ringing callee (CANCEL from Habla)');
  // INVITEs that beat the signal handler are still admitted (480: the number has no inbound
  // agent); from the first 503 on, every later INVITE must get 503 too.
  const firstRefused = prober.finals.indexOf(503);
  assert.ok(firstRefused >= 0, `an INVITE during the drain got 503: ${JSON.stringify(prober.finals)}`);
  const afterwards = prober.finals.slice(firstRefused).filter((status) => status !== undefined);
  assert.ok(afterwards.every((status) => status === 503), `nothing but 503 once draining: ${JSON.stringify(prober.finals)}`);
  assert.ok(prober.finals.slice(0, firstRefused).every((status) => status === undefined || status === 480), JSON.stringify(prober.finals));

  const restarted = await startTelephonyServer({}, { dataDir: habla.dataDir, adminKey: habla.adminKey });
  started.push(restarted.habla);
  assert.doesNotMatch(restarted.habla.output(), /closed calls left live/, 'nothing was left for recovery');
  const expected = [[answered.id, 'completed'], [ringing.id, 'failed']] as const;
  for (const [id, status] of expected) {
    const call = await restarted.api('GET', `/v1/call/${id}`);
    assert.equal(call.status, status, JSON.stringify(call));
    assert.equal(call.end_reason, 'server_shutdown');
    const ended = (await callLog(restarted.api, id)).filter((e) => e.event === 'call_ended');
    assert.equal(ended.length, 1);
    assert.equal(ended[0].data.end_reason, 'server_shutdown');
    assert.equal(ended[0].data.by, 'system');
  }
  const completed = await restarted.api('GET', `/v1/call/${answered.id}`);
  assert.ok(Date.parse(completed.end_time) - Date.parse(completed.start_time) < exitMs + 5000);
  assert.ok((await callLog(restarted.api, answered.id)).some((e) => e.event === 'hangup' && e.data.by === 'system'), 'the hang-up was ours');
});

test('SIGTERM with only a ringing call: the CANCEL completes (487 acknowledged) before the process exits', async () => {
  const { habla, api } = await startTelephonyServer();
  started.push(habla);
  const callee = await startSipp({ scenario: 'uas-ring-forever', timeoutMs: 10_000 });
  callees.push(callee);
  const agent = await createPublishedAgent(api, {});
  await importNumber(api, { number: '+34910000023', terminationUri: `127.0.0.1:${callee.sipPort}`, outboundAgentId: agent.agentId });
  const ringing = await api('POST', '/v1/call/', { from_number: '+34910000023', to_number: '+34600654321' });
  await waitForLogEvent(api, ringing.id, 'ringing');

  const signalledAt = performance.now();
  assert.equal(await habla.stop(), 0, habla.output());
  const exitMs = performance.now() - signalledAt;
  assert.ok(exitMs < 5000, `exited ${Math.round(exitMs)} ms after SIGTERM`);
  // The scenario ends with the ACK for its 487: a socket closed too early never sends it.
  await assertSippPassed(callee, 'ringing callee (CANCEL, then ACK for the 487)');

  const restarted = await startTelephonyServer({}, { dataDir: habla.dataDir, adminKey: habla.adminKey });
  started.push(restarted.habla);
  const call = await restarted.api('GET', `/v1/call/${ringing.id}`);
  assert.equal(call.status, 'failed');
  assert.equal(call.end_reason, 'server_shutdown');
});
