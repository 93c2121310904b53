// Outbound call answered by a real SIP peer: sipp (the callee, behind the "trunk") plays Spanish
// speech and hangs up after 6 s. The call must end completed/customer_hangup with the right
// duration, and its recording must hold the callee's speech on the caller channel and the
// agent's greeting on the agent channel.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { activeSegments } from '../../src/engine/recording/audio-analysis.ts';
import { readWav } from '../../src/engine/recording/wav.ts';
import { espeakToUlaw } from '../helpers/audio-fixtures.ts';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp } from '../helpers/sipp.ts';
import { callLog, createPublishedAgent, downloadRecording, importNumber, startTelephonyServer, waitForCall, type HablaApi } from '../helpers/telephony.ts';

let habla: HablaProcess;
let api: HablaApi;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-outbound-'));

before(async () => ({ habla, api } = await startTelephonyServer()));
after(async () => {
  await habla?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

test('answered outbound call: completed by the callee, recorded on two channels', async () => {
  const speech = await espeakToUlaw('Hola, buenos días. Quería preguntar por mi pedido, por favor.', 'es', work);
  const speechMs = fs.statSync(speech).size / 8;
  const callee = await startSipp({ scenario: 'uas-answer-play-hangup', keys: { play: `${speech},1,0` }, vars: { hangup_after_ms: 6000 } });
  try {
    const agent = await createPublishedAgent(api, { greeting: 'Hola {{nombre}}, le llamamos de la clínica.' });
    await importNumber(api, { number: '+34910000001', terminationUri: `127.0.0.1:${callee.sipPort}`, outboundAgentId: agent.agentId });
    const placed = await api('POST', '/v1/call/', { from_number: '+34910000001', to_number: '+34600123456', dynamic_variables: { nombre: 'Ana' } });
    assert.equal(placed.status, 'dialing');

    const answered = await waitForCall(api, placed.id, (c) => c.status !== 'dialing');
    assert.equal(answered.status, 'in_progress');
    assert.ok(answered.start_time);

    const call = await waitForCall(api, placed.id, (c) => c.status === 'completed' && c.recording_url);
    await assertSippPassed(callee, 'callee');
    assert.equal(call.end_reason, 'customer_hangup');
    const measured = (Date.parse(call.end_time) - Date.parse(call.start_time)) / 1000;
    assert.ok(measured > 5.5 && measured < 8, `answered for ${measured} s`);
    assert.ok(Math.abs(call.duration - measured) <= 1, `duration ${call.duration} matches ${measured}`);

    const events = (await callLog(api, placed.id)).map((e) => e.event);
    for (const expected of ['invite_sent', 'ringing', 'answered', 'hangup', 'call_ended', 'recording_saved']) {
      assert.ok(events.includes(expected), `call log has ${expected}: ${events.join(', ')}`);
    }

    const wav = readWav(await downloadRecording(call));
    assert.equal(wav.sampleRate, 8000);
    assert.equal(wav.channels.length, 2);
    const [callerChannel, agentChannel] = wav.channels;
    const heard = activeSegments(callerChannel, { sampleRate: 8000 });
    const spoken = activeSegments(agentChannel, { sampleRate: 8000 });
    const heardMs = heard.reduce((sum, s) => sum + s.endMs - s.startMs, 0);
    assert.ok(heardMs > speechMs * 0.6, `caller channel holds the callee's speech (${heardMs} of ~${speechMs} ms)`);
    assert.ok(spoken.length > 0 && spoken[0].startMs < 1500, `agent channel starts with the greeting: ${JSON.stringify(spoken)}`);
    const greetingMs = spoken.reduce((sum, s) => sum + s.endMs - s.startMs, 0);
    assert.ok(greetingMs > 1000 && greetingMs < 5000, `greeting length ${greetingMs} ms`);
  } finally {
    await callee.cleanup();
  }
});
