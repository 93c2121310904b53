// Calls that nobody hangs up still end. With HABLA_MEDIA_TIMEOUT_S=2 a callee that answers and
// then sends no RTP at all (a dead media path, a crashed phone) is hung up by us (BYE) about
// 2 s after the answer: completed/media_timeout. With HABLA_MAX_CALL_DURATION_S=4 a callee
// whose media stays alive (sipp -rtp_echo sends our own RTP back) is hung up at 4 s:
// completed/max_duration_reached — and, living past the 2 s media timeout, it also shows that
// received RTP keeps a call up.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { activeSegments } from '../../src/engine/recording/audio-analysis.ts';
import { readWav } from '../../src/engine/recording/wav.ts';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp } from '../helpers/sipp.ts';
import { callLog, createPublishedAgent, downloadRecording, importNumber, startTelephonyServer, waitForCall, type HablaApi } from '../helpers/telephony.ts';

let habla: HablaProcess;
let api: HablaApi;

before(async () => ({ habla, api } = await startTelephonyServer({ HABLA_MEDIA_TIMEOUT_S: '2', HABLA_MAX_CALL_DURATION_S: '4' })));
after(async () => {
  await habla?.stop();
  if (habla) fs.rmSync(habla.dataDir, { recursive: true, force: true });
});

const answeredSeconds = (call: any) => (Date.parse(call.end_time) - Date.parse(call.start_time)) / 1000;

test('a silent callee is hung up on media timeout, a live one at the maximum duration', async () => {
  // The same scenario twice: without -rtp_echo sipp never sends a packet; with it, our RTP comes back.
  const silent = await startSipp({ scenario: 'uas-answer-echo-wait-bye' });
  const echoing = await startSipp({ scenario: 'uas-answer-echo-wait-bye', rtpEcho: true });
  try {
    const agent = await createPublishedAgent(api, { greeting: 'Hola, le llamamos de la clínica.' });
    await importNumber(api, { number: '+34910000031', terminationUri: `127.0.0.1:${silent.sipPort}`, outboundAgentId: agent.agentId });
    await importNumber(api, { number: '+34910000032', terminationUri: `127.0.0.1:${echoing.sipPort}`, outboundAgentId: agent.agentId });
    const silentCall = await api('POST', '/v1/call/', { from_number: '+34910000031', to_number: '+34600123456' });
    const liveCall = await api('POST', '/v1/call/', { from_number: '+34910000032', to_number: '+34600654321' });

    const timedOut = await waitForCall(api, silentCall.id, (c) => c.status === 'completed', 15_000);
    await assertSippPassed(silent, 'silent callee (BYE from Habla)');
    assert.equal(timedOut.end_reason, 'media_timeout', JSON.stringify(timedOut));
    const silentFor = answeredSeconds(timedOut);
    assert.ok(silentFor >= 1.9 && silentFor < 3.5, `hung up ${silentFor} s after the answer`);
    const silentEvents = (await callLog(api, silentCall.id)).map((e) => e.event);
    for (const expected of ['answered', 'media_timeout', 'hangup', 'call_ended']) assert.ok(silentEvents.includes(expected), `${expected} in ${silentEvents}`);
    assert.ok(!silentEvents.includes('max_duration_reached'));

    const capped = await waitForCall(api, liveCall.id, (c) => c.status === 'completed' && c.recording_url, 15_000);
    await assertSippPassed(echoing, 'echoing callee (BYE from Habla)');
    assert.equal(capped.end_reason, 'max_duration_reached', JSON.stringify(capped));
    const liveFor = answeredSeconds(capped);
    console.log(`media_timeout ${silentFor} s after the answer; max_duration_reached ${liveFor} s after the answer`);
    assert.ok(liveFor >= 3.9 && liveFor < 5.5, `hung up ${liveFor} s after the answer`);
    assert.ok(Math.abs(capped.duration - 4) <= 1, `duration ${capped.duration}`);
    const log = await callLog(api, liveCall.id);
    const liveEvents = log.map((e) => e.event);
    for (const expected of ['answered', 'max_duration_reached', 'hangup', 'call_ended', 'recording_saved']) assert.ok(liveEvents.includes(expected), `${expected} in ${liveEvents}`);
    assert.ok(!liveEvents.includes('media_timeout'), 'echoed RTP kept the media alive');
    assert.equal(log.find((e) => e.event === 'hangup')!.data.by, 'system');
    assert.equal(log.find((e) => e.event === 'call_ended')!.data.end_reason, 'max_duration_reached');

    // The echo really flowed: the greeting we sent is heard back on the caller channel.
    const [callerChannel] = readWav(await downloadRecording(capped)).channels;
    const heard = activeSegments(callerChannel, { sampleRate: 8000 });
    assert.ok(heard.length > 0, 'the echoed greeting is on the caller channel');
  } finally {
    await silent.cleanup();
    await echoing.cleanup();
  }
});
