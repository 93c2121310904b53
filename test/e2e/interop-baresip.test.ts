// Interop with a real softphone, baresip 1.0 (Debian): it calls one of our numbers and speaks,
// presses keys (RFC 4733), puts the call on hold and resumes it (re-INVITEs),
// the agent answers with its greeting, baresip hangs up; and Habla calls out to baresip (the
// number's trunk), which answers by itself and records what it hears, until the API hangs up.
// Audio must flow both ways: Habla's recording holds baresip's speech on the caller channel and
// the greeting on the agent channel; baresip's own recording holds the greeting. The last two
// tests do both directions again over SIP over TCP.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { activeSegments } from '../../src/engine/recording/audio-analysis.ts';
import { readWav } from '../../src/engine/recording/wav.ts';
import { analyseWav, espeakToWav } from '../helpers/audio-fixtures.ts';
import { startBaresip, type Baresip } from '../helpers/baresip.ts';
import type { HablaProcess } from '../helpers/server-process.ts';
import { callLog, createPublishedAgent, downloadRecording, importNumber, startTelephonyServer, waitForCall, waitForCallWhere, type HablaApi } from '../helpers/telephony.ts';

let habla: HablaProcess;
let api: HablaApi;
let agentId: string;
let speech: string;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-interop-baresip-'));
const phones: Baresip[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const totalMs = (segments: { startMs: number; endMs: number }[]) => segments.reduce((sum, s) => sum + s.endMs - s.startMs, 0);

before(async () => {
  ({ habla, api } = await startTelephonyServer({ HABLA_MEDIA_TIMEOUT_S: '10' }));
  ({ agentId } = await createPublishedAgent(api, { greeting: 'Buenos días, le atiende la clínica dental.' }));
  speech = await espeakToWav('Hola, llamo para confirmar mi cita de mañana.', 'es', work);
});
after(async () => {
  await Promise.all(phones.map((p) => p.stop()));
  await habla?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

async function phone(opts: Parameters<typeof startBaresip>[0]): Promise<Baresip> {
  const b = await startBaresip(opts);
  phones.push(b);
  return b;
}

/** Caller channel has `sentMs` of speech (within 60 %); agent channel starts with a 1–6 s greeting. */
function assertTwoWayRecording(wavBytes: Buffer, sentMs: number): void {
  const wav = readWav(wavBytes);
  assert.equal(wav.channels.length, 2);
  const [callerChannel, agentChannel] = wav.channels;
  const heardMs = totalMs(activeSegments(callerChannel, { sampleRate: 8000 }));
  assert.ok(heardMs > sentMs * 0.6, `caller channel holds baresip's speech (${heardMs} of ~${sentMs} ms)`);
  const spoken = activeSegments(agentChannel, { sampleRate: 8000 });
  assert.ok(spoken.length > 0 && spoken[0].startMs < 1500, `agent channel starts with the greeting: ${JSON.stringify(spoken)}`);
  const greetingMs = totalMs(spoken);
  assert.ok(greetingMs > 1000 && greetingMs < 6000, `greeting length ${greetingMs} ms`);
}

/** Polls the call log until `done` holds (events are written as the call goes). */
async function waitForLog(callId: string, done: (log: Awaited<ReturnType<typeof callLog>>) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  let log: Awaited<ReturnType<typeof callLog>> = [];
  while (Date.now() < deadline) {
    log = await callLog(api, callId);
    if (done(log)) return;
    await sleep(50);
  }
  throw new Error(`call log never showed ${what}: ${log.map((e) => e.event).join(', ')}`);
}

/** Nothing went wrong on the wire: every request answered, media never stalled. */
function assertNoTrouble(events: string[]): void {
  for (const bad of ['sip_error', 'bye_unanswered', 'media_timeout', 'reinvite_rejected', 'recording_failed']) {
    assert.ok(!events.includes(bad), `call log has no ${bad}: ${events.join(', ')}`);
  }
}

function dumpOnFailure(t: { after(fn: () => void): void; passed?: boolean }, b: () => Baresip | undefined): void {
  t.after(() => {
    if ((t as { passed?: boolean }).passed !== false) return;
    console.error(`--- habla ---\n${habla.output().slice(-5000)}`);
    console.error(`--- baresip ---\n${b()?.output().slice(-5000)}`);
  });
}

test('baresip calls an imported number, speaks, presses keys, holds and resumes, hangs up: completed/customer_hangup, audio both ways', async (t) => {
  let caller: Baresip | undefined;
  dumpOnFailure(t, () => caller);
  const number = '+34910000005';
  const phoneRecord = await importNumber(api, { number, inboundAgentId: agentId });
  caller = await phone({ user: '+34600222333', audioSource: speech });
  const sentMs = analyseWav(speech).activeMs;

  await caller.dial(`sip:${number}@127.0.0.1:${habla.sipPort}`);
  await caller.waitFor('CALL_ESTABLISHED');
  const created = await waitForCallWhere(api, 'type=inbound');
  const live = await waitForCall(api, created.id, (c) => c.status !== 'dialing', 5000);
  assert.equal(live.status, 'in_progress');
  assert.equal(live.phone_register_id, phoneRecord.id);
  assert.equal(live.contact.identifier, '+34600222333');

  await sleep(3300); // baresip's ~3 s of speech out, the agent's greeting in
  // Then its keypad (RFC 4733) and its hold key (re-INVITE a=sendonly, then a=sendrecv). Each
  // step waits for the call log: baresip holds back keys still queued while the call is on hold.
  await caller.sendDtmf('42');
  await waitForLog(created.id, (log) => log.filter((e) => e.event === 'dtmf_received').length >= 2, 'both keys');
  await caller.command('hold');
  await waitForLog(created.id, (log) => log.some((e) => e.event === 'hold'), 'hold');
  await caller.command('resume');
  await waitForLog(created.id, (log) => log.some((e) => e.event === 'unhold'), 'unhold');
  await caller.hangup();
  await caller.waitFor('CALL_CLOSED');
  const call = await waitForCall(api, created.id, (c) => c.status === 'completed' && c.recording_url, 10_000);
  assert.equal(call.end_reason, 'customer_hangup');
  assert.ok(call.duration >= 3 && call.duration <= 7, `duration ${call.duration}`);
  const log = await callLog(api, created.id);
  const events = log.map((e) => e.event);
  for (const name of ['inbound_received', 'answered', 'hangup', 'call_ended', 'recording_saved']) {
    assert.ok(events.includes(name), `call log has ${name}: ${events.join(', ')}`);
  }
  assertNoTrouble(events);
  const digits = log.filter((e) => e.event === 'dtmf_received');
  assert.deepEqual(digits.map((e) => `${e.data.digit}/${e.data.via}`), ['4/rfc4733', '2/rfc4733'], 'baresip keys logged once each, in order');
  assert.deepEqual(events.filter((e) => e === 'hold' || e === 'unhold'), ['hold', 'unhold'], `hold then resume: ${events.join(', ')}`);

  assertTwoWayRecording(await downloadRecording(call), sentMs);
  const heard = analyseWav(caller.recordings()[0].received);
  assert.ok(heard.activeMs > 1000, `baresip heard the greeting (${heard.activeMs} ms)`);
});

test('Habla calls out to an auto-answering baresip; the API hangs up: completed/api_hangup, baresip heard the greeting', async (t) => {
  let callee: Baresip | undefined;
  dumpOnFailure(t, () => callee);
  callee = await phone({ user: '+34600123456', audioSource: speech });
  const sentMs = analyseWav(speech).activeMs;
  const number = '+34910000006';
  await importNumber(api, { number, terminationUri: `127.0.0.1:${callee.sipPort}`, outboundAgentId: agentId });

  const placed = await api('POST', '/v1/call/', { from_number: number, to_number: '+34600123456' });
  const answered = await waitForCall(api, placed.id, (c) => c.status !== 'dialing', 10_000);
  assert.equal(answered.status, 'in_progress');
  await callee.waitFor('CALL_ESTABLISHED');

  await sleep(4500);
  const hangup = await api.raw('POST', `/v1/call/${placed.id}/hangup`);
  assert.ok(hangup.ok, `hangup → ${hangup.status} ${await hangup.text()}`);
  const closed = await callee.waitFor('CALL_CLOSED');
  assert.match(closed.param ?? '', /Connection reset by peer/, 'baresip got our BYE');
  const call = await waitForCall(api, placed.id, (c) => c.status === 'completed' && c.recording_url, 10_000);
  assert.equal(call.end_reason, 'api_hangup');
  const events = await callLog(api, placed.id);
  assert.equal(events.find((e) => e.event === 'hangup')?.data.by, 'agent');
  assertNoTrouble(events.map((e) => e.event));

  assertTwoWayRecording(await downloadRecording(call), sentMs);
  const heard = analyseWav(callee.recordings()[0].received);
  assert.ok(heard.activeMs > 1000, `baresip recorded the greeting (${heard.activeMs} ms)`);
});

// SIP over TCP, both ways: the signalling must really be TCP (baresip's SIP trace shows
// `SIP/2.0/TCP` Vias), with audio both ways as over UDP.
test('baresip calls in over TCP (;transport=tcp), speaks and hangs up: completed/customer_hangup', async (t) => {
  let caller: Baresip | undefined;
  dumpOnFailure(t, () => caller);
  const number = '+34910000091';
  await importNumber(api, { number, inboundAgentId: agentId });
  caller = await phone({ user: '+34600222444', audioSource: speech });

  await caller.dial(`sip:${number}@127.0.0.1:${habla.sipPort};transport=tcp`);
  await caller.waitFor('CALL_ESTABLISHED');
  const created = await waitForCallWhere(api, 'type=inbound&status=in_progress');
  await sleep(3500);
  await caller.hangup();
  await caller.waitFor('CALL_CLOSED');
  const call = await waitForCall(api, created.id, (c) => c.status === 'completed' && c.recording_url, 10_000);
  assert.equal(call.end_reason, 'customer_hangup');
  assert.match(caller.output(), /Via: SIP\/2\.0\/TCP /, 'the signalling went over TCP');
  assertNoTrouble((await callLog(api, created.id)).map((e) => e.event));
  assertTwoWayRecording(await downloadRecording(call), analyseWav(speech).activeMs);
  assert.ok(analyseWav(caller.recordings()[0].received).activeMs > 1000, 'baresip heard the greeting');
});

test('Habla calls baresip through a ;transport=tcp trunk; the API hangs up: completed/api_hangup', async (t) => {
  let callee: Baresip | undefined;
  dumpOnFailure(t, () => callee);
  callee = await phone({ user: '+34600123457', audioSource: speech });
  const number = '+34910000092';
  await importNumber(api, { number, terminationUri: `127.0.0.1:${callee.sipPort};transport=tcp`, outboundAgentId: agentId });

  const placed = await api('POST', '/v1/call/', { from_number: number, to_number: '+34600123457' });
  await waitForCall(api, placed.id, (c) => c.status === 'in_progress', 10_000);
  await callee.waitFor('CALL_ESTABLISHED');
  await sleep(4500);
  const hangup = await api.raw('POST', `/v1/call/${placed.id}/hangup`);
  assert.ok(hangup.ok, `hangup → ${hangup.status} ${await hangup.text()}`);
  await callee.waitFor('CALL_CLOSED');
  const call = await waitForCall(api, placed.id, (c) => c.status === 'completed' && c.recording_url, 10_000);
  assert.equal(call.end_reason, 'api_hangup');
  assert.match(callee.output(), /Via: SIP\/2\.0\/TCP /, 'the signalling went over TCP');
  assertNoTrouble((await callLog(api, placed.id)).map((e) => e.event));
  assertTwoWayRecording(await downloadRecording(call), analyseWav(speech).activeMs);
  assert.ok(analyseWav(callee.recordings()[0].received).activeMs > 1000, 'baresip heard the greeting');
});
