// Inbound call from a real SIP peer: sipp (the caller, behind the "trunk") dials one of our numbers
// the way carriers spell it (`0034…`, then `34…`), speaks, presses keys (RFC 4733) and hangs up.
// Habla answers with the number's published inbound agent, which says its greeting. The call must
// be in_progress while it lasts, end completed/customer_hangup with the right duration, log the
// digits in order, and record the caller's speech and the greeting on their own channels. The
// same caller calling again is the same contact.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { activeSegments } from '../../src/engine/recording/audio-analysis.ts';
import { readWav } from '../../src/engine/recording/wav.ts';
import { espeakToUlaw, writeDtmfPcap } from '../helpers/audio-fixtures.ts';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp } from '../helpers/sipp.ts';
import { callLog, createPublishedAgent, downloadRecording, importNumber, startTelephonyServer, waitForCall, waitForCallWhere, type HablaApi } from '../helpers/telephony.ts';

let habla: HablaProcess;
let api: HablaApi;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-inbound-'));

/** uac-call-dtmf-hangup's From user: the caller's number. */
const CALLER = '+34600111222';
const OUR_NUMBER = '+34910000002';
const totalMs = (segments: { startMs: number; endMs: number }[]) => segments.reduce((sum, s) => sum + s.endMs - s.startMs, 0);

before(async () => ({ habla, api } = await startTelephonyServer({ HABLA_MEDIA_TIMEOUT_S: '10' })));
after(async () => {
  await habla?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

test('inbound call answered by the agent, caller speaks, presses keys and hangs up; a second call is the same contact', async (t) => {
  t.after(() => {
    // `passed` is set by the time after-hooks run (not in @types/node 20).
    if ((t as { passed?: boolean }).passed === false) console.error(habla.output().slice(-6000));
  });
  const agent = await createPublishedAgent(api, { greeting: 'Buenos días, ha llamado a la clínica. ¿En qué puedo ayudarle?' });
  const phone = await importNumber(api, { number: OUR_NUMBER, inboundAgentId: agent.agentId });
  const speech = await espeakToUlaw('Hola, quería pedir una cita para el martes por la mañana.', 'es', work);
  const speechMs = fs.statSync(speech).size / 8;
  const pcap = writeDtmfPcap(path.join(work, 'speech-then-keys.pcap'), '159#', { leadingAudio: speech });
  const hangupAfterMs = pcap.durationMs + 1200;

  const caller = await startSipp({
    scenario: 'uac-call-dtmf-hangup', remote: `127.0.0.1:${habla.sipPort}`, service: `00${OUR_NUMBER.slice(1)}`,
    keys: { pcap: pcap.path }, vars: { hangup_after_ms: hangupAfterMs }, timeoutMs: 20_000,
  });
  try {
    const created = await waitForCallWhere(api, 'type=inbound');
    const live = await waitForCall(api, created.id, (c) => c.status !== 'dialing', 5000);
    assert.equal(live.status, 'in_progress');
    assert.equal(live.type, 'inbound');
    assert.equal(live.agent_id, agent.agentId);
    assert.equal(live.agent_version_id, agent.versionId);
    assert.equal(live.phone_register_id, phone.id);
    assert.equal(live.contact.identifier, CALLER);
    assert.equal(live.contact.contact_type, 'call');
    assert.ok(live.start_time, 'answered: start_time is set');

    await assertSippPassed(caller, 'caller');
    const call = await waitForCall(api, created.id, (c) => c.status === 'completed' && c.recording_url, 10_000);
    assert.equal(call.end_reason, 'customer_hangup');
    const measured = (Date.parse(call.end_time) - Date.parse(call.start_time)) / 1000;
    const expected = hangupAfterMs / 1000;
    assert.ok(measured > expected - 0.5 && measured < expected + 1.5, `answered for ${measured} s, caller hung up after ~${expected} s`);
    assert.ok(Math.abs(call.duration - measured) <= 1, `duration ${call.duration} matches ${measured}`);

    const log = await callLog(api, created.id);
    const events = log.map((e) => e.event);
    for (const name of ['call_created', 'inbound_received', 'answered', 'dtmf_received', 'hangup', 'call_ended', 'recording_saved']) {
      assert.ok(events.includes(name), `call log has ${name}: ${events.join(', ')}`);
    }
    assert.ok(events.indexOf('inbound_received') < events.indexOf('answered'), 'received before answered');
    const digits = log.filter((e) => e.event === 'dtmf_received');
    assert.equal(digits.map((e) => e.data.digit).join(''), '159#', 'each key logged once, in order');
    assert.ok(digits.every((e) => e.data.via === 'rfc4733'));
    assert.equal(log.find((e) => e.event === 'answered')!.data.srtp, false);
    assert.equal(log.find((e) => e.event === 'hangup')!.data.by, 'customer');
    const ended = log.find((e) => e.event === 'call_ended')!.data;
    assert.equal(ended.status, 'completed');
    assert.equal(ended.end_reason, 'customer_hangup');

    const wav = readWav(await downloadRecording(call));
    assert.equal(wav.channels.length, 2);
    const [callerChannel, agentChannel] = wav.channels;
    const heardMs = totalMs(activeSegments(callerChannel, { sampleRate: 8000 }));
    assert.ok(heardMs > speechMs * 0.6, `caller channel holds the caller's speech (${heardMs} of ~${speechMs} ms)`);
    const spoken = activeSegments(agentChannel, { sampleRate: 8000 });
    assert.ok(spoken.length > 0 && spoken[0].startMs < 1500, `agent channel starts with the greeting: ${JSON.stringify(spoken)}`);
    const greetingMs = totalMs(spoken);
    assert.ok(greetingMs > 1500 && greetingMs < 6000, `greeting length ${greetingMs} ms`);
  } finally {
    await caller.cleanup();
  }

  // The same caller again, with the other spelling trunks use (`34…`): one contact for both calls.
  const keysOnly = writeDtmfPcap(path.join(work, 'keys.pcap'), '7');
  const again = await startSipp({
    scenario: 'uac-call-dtmf-hangup', remote: `127.0.0.1:${habla.sipPort}`, service: OUR_NUMBER.slice(1),
    keys: { pcap: keysOnly.path }, vars: { hangup_after_ms: keysOnly.durationMs + 500 }, timeoutMs: 15_000,
  });
  try {
    await assertSippPassed(again, 'second caller');
  } finally {
    await again.cleanup();
  }
  const calls = (await api('GET', '/v1/call/?type=inbound')).data;
  assert.equal(calls.length, 2);
  const [first, second] = calls[0].created_date < calls[1].created_date ? calls : [calls[1], calls[0]];
  const secondCall = await waitForCall(api, second.id, (c) => c.status === 'completed', 5000);
  assert.equal(secondCall.end_reason, 'customer_hangup');
  assert.equal(secondCall.contact.id, first.contact.id, 'the same caller is the same contact');
  const byContact = (await api('GET', `/v1/call/?contact_id=${first.contact.id}`)).data;
  assert.equal(byContact.length, 2);
  const secondDigits = (await callLog(api, second.id)).filter((e) => e.event === 'dtmf_received').map((e) => e.data.digit);
  assert.deepEqual(secondDigits, ['7']);
});
