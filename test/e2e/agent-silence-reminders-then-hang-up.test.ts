// A callee who never speaks: the agent greets, says its reminder after each reminder_frequency_ms
// of silence, and hangs up one interval after the last (max_reminder_count) — measured on the
// recording and the call (completed, agent_hangup).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { activeSegments } from '../../src/engine/recording/audio-analysis.ts';
import { readWav } from '../../src/engine/recording/wav.ts';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp } from '../helpers/sipp.ts';
import { downloadRecording, importNumber, startTelephonyServer, waitForCall, type HablaApi } from '../helpers/telephony.ts';

let habla: HablaProcess;
let api: HablaApi;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-reminders-e2e-'));

// Fixed reminder messages need no LLM: the scripted one (offline demo) is enough.
before(async () => ({ habla, api } = await startTelephonyServer({ HABLA_AGENT_MODE: 'agent' })));
after(async () => {
  await habla?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

test('silence: two reminders at the configured interval, then the agent hangs up', async () => {
  const silence = path.join(work, 'silence.ulaw');
  fs.writeFileSync(silence, Buffer.alloc(20 * 8000, 0xff)); // 20 s of µ-law silence
  const callee = await startSipp({ scenario: 'uas-answer-play-wait-bye', keys: { play: `${silence},1,0` }, timeoutMs: 30_000 });
  try {
    const voices = await api('GET', '/v1/voice/?limit=50&search=Spanish');
    const voice = voices.data.find((v: any) => v.provider_voice_id === 'es');
    const agent = await api('POST', '/v1/agent/', {
      name: 'Recordatorios', voice_id: voice.id, language: 'es', greeting: 'Hola, buenos días.',
      reminder_frequency_ms: 1500, max_reminder_count: 2, reminder_messages: ['¿Sigue ahí?'],
    });
    await importNumber(api, { number: '+34910000003', terminationUri: `127.0.0.1:${callee.sipPort}`, outboundAgentId: agent.agent_id });
    const placed = await api('POST', '/v1/call/', { from_number: '+34910000003', to_number: '+34600123458' });
    const call = await waitForCall(api, placed.id, (c) => c.status === 'completed' && c.recording_url, 30_000);
    await assertSippPassed(callee, 'callee (hung up on by the agent)');
    assert.equal(call.end_reason, 'agent_hangup');

    const messages = (await api('GET', `/v1/call/${placed.id}/message?order=asc&limit=50`)).data;
    assert.deepEqual(messages.map((m: any) => [m.role, m.content]), [['assistant', 'Hola, buenos días.'], ['assistant', '¿Sigue ahí?'], ['assistant', '¿Sigue ahí?']]);

    const wav = readWav(await downloadRecording(call));
    const spoken = activeSegments(wav.channels[1], { sampleRate: 8000, minSilenceMs: 600 });
    assert.equal(spoken.length, 3, JSON.stringify(spoken));
    for (const i of [0, 1]) {
      const gap = spoken[i + 1].startMs - spoken[i].endMs;
      // The interval plus synthesising the reminder (espeak-ng: ~50 ms idle, more on a loaded
      // machine); espeak ends each clip with ~100–300 ms of near-silence the recording counts as quiet.
      assert.ok(gap >= 1500 && gap < 2500, `reminder ${i + 1} came ${gap} ms after the agent stopped`);
    }
    const callMs = wav.channels[1].length / 8;
    const hangupGap = callMs - spoken[2].endMs;
    assert.ok(hangupGap >= 1400 && hangupGap < 2200, `hung up ${hangupGap} ms after the last reminder`);
  } finally {
    await callee.cleanup();
  }
});
