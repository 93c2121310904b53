// SDES-SRTP with a real softphone, baresip 1.0 with mandatory SRTP (`mediaenc=srtp-mand`: it
// offers RTP/SAVP with a=crypto AES_CM_128_HMAC_SHA1_80). It calls a number whose inbound
// media_encryption is 'require': the call is answered with SRTP and audio flows both ways through
// it — whether baresip offers RTP/SAVP (srtp-mand) or RTP/AVP with a=crypto (best-effort `srtp`).
// The same number refuses baresip without SRTP (plain RTP/AVP) with 488 and no call row. Outbound,
// Habla offers RTP/SAVP (media_encryption require) or RTP/AVP + crypto (allow) and baresip takes it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { activeSegments } from '../../src/engine/recording/audio-analysis.ts';
import { readWav } from '../../src/engine/recording/wav.ts';
import { analyseWav, espeakToWav } from '../helpers/audio-fixtures.ts';
import { startBaresip, type Baresip } from '../helpers/baresip.ts';
import type { HablaProcess } from '../helpers/server-process.ts';
import { callLog, createPublishedAgent, downloadRecording, importNumber, startTelephonyServer, waitForCall, waitForCallWhere, type HablaApi } from '../helpers/telephony.ts';

let habla: HablaProcess;
let api: HablaApi;
let speech: string;
const NUMBER = '+34910000007';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-interop-srtp-'));
const phones: Baresip[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const totalMs = (segments: { startMs: number; endMs: number }[]) => segments.reduce((sum, s) => sum + s.endMs - s.startMs, 0);

before(async () => {
  ({ habla, api } = await startTelephonyServer({ HABLA_MEDIA_TIMEOUT_S: '10' }));
  const { agentId } = await createPublishedAgent(api, { greeting: 'Hola, esta llamada está cifrada de extremo a extremo.' });
  await importNumber(api, { number: NUMBER, inboundEncryption: 'require', inboundAgentId: agentId });
  speech = await espeakToWav('Buenas tardes, quería cambiar la hora de mi cita.', 'es', work);
});
after(async () => {
  await Promise.all(phones.map((p) => p.stop()));
  await habla?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

async function phone(t: { after(fn: () => void): void }, opts: Parameters<typeof startBaresip>[0]): Promise<Baresip> {
  const b = await startBaresip(opts);
  phones.push(b);
  t.after(() => {
    // `passed` is set by the time after-hooks run (not in @types/node 20).
    if ((t as { passed?: boolean }).passed !== false) return;
    console.error(`--- habla ---\n${habla.output().slice(-5000)}\n--- baresip ---\n${b.output().slice(-5000)}`);
  });
  return b;
}

/**
 * The call ended as `endReason`, was answered with SRTP, and audio crossed it both ways: what
 * baresip sent is on the recording's caller channel, the greeting on the agent channel and in
 * what baresip heard.
 */
async function assertSrtpCallCarriedAudio(callId: string, b: Baresip, endReason: string): Promise<void> {
  const call = await waitForCall(api, callId, (c) => c.status === 'completed' && c.recording_url, 10_000);
  assert.equal(call.end_reason, endReason);
  const log = await callLog(api, callId);
  const answered = log.find((e) => e.event === 'answered');
  assert.equal(answered?.data.srtp, true, `answered with SRTP: ${JSON.stringify(answered?.data)}`);
  const events = log.map((e) => e.event);
  for (const bad of ['sip_error', 'bye_unanswered', 'media_timeout']) assert.ok(!events.includes(bad), `no ${bad}: ${events.join(', ')}`);

  const wav = readWav(await downloadRecording(call));
  const [callerChannel, agentChannel] = wav.channels;
  const sentMs = analyseWav(speech).activeMs;
  const heardMs = totalMs(activeSegments(callerChannel, { sampleRate: 8000 }));
  assert.ok(heardMs > sentMs * 0.6, `caller channel holds baresip's speech (${heardMs} of ~${sentMs} ms)`);
  const greetingMs = totalMs(activeSegments(agentChannel, { sampleRate: 8000 }));
  assert.ok(greetingMs > 1000, `agent channel holds the greeting (${greetingMs} ms)`);
  const received = analyseWav(b.recordings()[0].received);
  assert.ok(received.activeMs > 1000, `baresip heard the greeting through SRTP (${received.activeMs} ms)`);
}

/** baresip calls NUMBER, talks for a while and hangs up; returns the call's id. */
async function callInAndHangUp(caller: Baresip): Promise<string> {
  await caller.dial(`sip:${NUMBER}@127.0.0.1:${habla.sipPort}`);
  await caller.waitFor('CALL_ESTABLISHED');
  const created = await inboundCallFrom(caller);
  const live = await waitForCall(api, created.id, (c) => c.status !== 'dialing', 5000);
  assert.equal(live.status, 'in_progress');
  await sleep(3600); // baresip's ~3 s of speech out, the greeting in
  await caller.hangup();
  await caller.waitFor('CALL_CLOSED');
  return created.id;
}

/** The inbound call from this phone: its account user is the caller's number (the contact). */
async function inboundCallFrom(b: Baresip): Promise<any> {
  const user = /^sip:([^@]+)@/.exec(b.uri)![1];
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const found = (await api('GET', '/v1/call/?type=inbound&limit=100')).data.find((c: any) => c.contact.identifier === user);
    if (found) return found;
    await sleep(100);
  }
  throw new Error(`no inbound call from ${b.uri}`);
}

test('baresip without SRTP (plain RTP/AVP) calling a number that requires SRTP gets 488 and no call is created', async (t) => {
  const callsBefore = (await api('GET', '/v1/call/?limit=100')).data.length;
  const caller = await phone(t, { user: '+34600555666' });
  await caller.dial(`sip:${NUMBER}@127.0.0.1:${habla.sipPort}`);
  const closed = await caller.waitFor('CALL_CLOSED');
  assert.match(closed.param ?? '', /488 Not Acceptable Here/);
  assert.match(caller.output(), /m=audio \d+ RTP\/AVP /, 'the offer was plain RTP');
  assert.equal(caller.events.some((e) => e.type === 'CALL_ESTABLISHED'), false);
  assert.equal((await api('GET', '/v1/call/?limit=100')).data.length, callsBefore, 'no call row');
});

// Four independent calls (own phone, number, caller id each) at once: the file stays short.
describe('SRTP calls that carry audio', { concurrency: true }, () => {
  test('baresip with mandatory SRTP (RTP/SAVP) calls a number that requires it: answered with SRTP, audio both ways', async (t) => {
    const caller = await phone(t, { user: '+34600333444', srtp: true, audioSource: speech });
    const callId = await callInAndHangUp(caller);
    assert.match(caller.output(), /m=audio \d+ RTP\/SAVP /, 'baresip offers RTP/SAVP');
    assert.match(caller.output(), /a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:/);
    await assertSrtpCallCarriedAudio(callId, caller, 'customer_hangup');
  });

  test('baresip with best-effort SRTP (RTP/AVP + a=crypto) calls the same number: accepted as SRTP, audio both ways', async (t) => {
    const caller = await phone(t, { user: '+34600444555', srtp: 'best-effort', audioSource: speech });
    const callId = await callInAndHangUp(caller);
    assert.match(caller.output(), /m=audio \d+ RTP\/AVP /, 'baresip offers RTP/AVP');
    assert.match(caller.output(), /a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:/);
    await assertSrtpCallCarriedAudio(callId, caller, 'customer_hangup');
  });

  for (const [encryption, srtp, profile] of [['require', true, 'RTP/SAVP'], ['allow', 'best-effort', 'RTP/AVP']] as const) {
    test(`Habla calls out with media_encryption ${encryption} to baresip (${srtp === true ? 'srtp-mand' : 'srtp'}): ${profile} + crypto, SRTP both ways, API hangup`, async (t) => {
      const callee = await phone(t, { user: '+34600777888', srtp, audioSource: speech });
      const from = encryption === 'require' ? '+34910000008' : '+34910000009';
      const { agentId } = await createPublishedAgent(api, { greeting: 'Hola, esta llamada está cifrada de extremo a extremo.' });
      await importNumber(api, { number: from, terminationUri: `127.0.0.1:${callee.sipPort}`, outboundEncryption: encryption, outboundAgentId: agentId });
      const placed = await api('POST', '/v1/call/', { from_number: from, to_number: '+34600777888' });
      const answered = await waitForCall(api, placed.id, (c) => c.status !== 'dialing', 10_000);
      assert.equal(answered.status, 'in_progress');
      await callee.waitFor('CALL_ESTABLISHED');
      assert.match(callee.output(), new RegExp(`m=audio \\d+ ${profile.replace('/', '\\/')} `), `Habla offers ${profile}`);
      await sleep(3600);
      const hangup = await api.raw('POST', `/v1/call/${placed.id}/hangup`);
      assert.ok(hangup.ok, `hangup → ${hangup.status}`);
      await callee.waitFor('CALL_CLOSED');
      await assertSrtpCallCarriedAudio(placed.id, callee, 'api_hangup');
    });
  }
});
