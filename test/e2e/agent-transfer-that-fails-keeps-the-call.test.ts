// A transfer that does not happen (HABLA_AGENT_MODE=agent): sipp answers and asks for a person;
// the mock OpenAI server calls transfer_call. Either Habla's REFER gets 405 Method Not Allowed
// (a trunk without transfers) and Habla dials the target itself through the same trunk, which
// answers 486 Busy Here — or the REFER gets 202 and then a NOTIFY saying the target is busy
// (486), and nobody dials it again. The agent keeps the call (no BYE from Habla), hears that the
// transfer failed and says so; the callee hangs up later and the call ends
// completed/customer_hangup with the failure in the call log.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { activeSegments } from '../../src/engine/recording/audio-analysis.ts';
import { readWav } from '../../src/engine/recording/wav.ts';
import { synthesizeEspeak } from '../../src/voice/tts/espeak.ts';
import { createTransferAgent, customerAudio, ENDED, HANDOVER, scriptTransferLlm, startTransferServer, TARGET } from '../helpers/agent-transfer.ts';
import { startMockOpenAi } from '../helpers/mock-openai-server.ts';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp } from '../helpers/sipp.ts';
import { callLog, downloadRecording, importNumber, waitForCall, type HablaApi } from '../helpers/telephony.ts';

const SORRY = 'Lo siento, ahora no puedo pasarle.';

let habla: HablaProcess;
let api: HablaApi;
const llm = await startMockOpenAi();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-transfer-refused-e2e-'));
scriptTransferLlm(llm, SORRY);

before(async () => {
  ({ habla, api } = await startTransferServer(llm));
});
after(async () => {
  await habla?.stop();
  await llm.close();
  fs.rmSync(work, { recursive: true, force: true });
});

interface Expected {
  scenario: string;
  /** sipp calls: the callee, and the target dialed through the same trunk when there is one. */
  calls: number;
  reason: string;
  accepted: boolean;
  events: string[];
}

async function transferFails(expected: Expected, ourNumber: string): Promise<string> {
  const { scenario, reason } = expected;
  const callee = await startSipp({
    scenario, calls: expected.calls, keys: { play: `${await customerAudio(work, 'callee')},1,0` }, vars: { hangup_after_ms: 4500 }, timeoutMs: 30_000,
  });
  try {
    const agentId = await createTransferAgent(api);
    await importNumber(api, { number: ourNumber, terminationUri: `127.0.0.1:${callee.sipPort}`, outboundAgentId: agentId });
    const placed = await api('POST', '/v1/call/', { from_number: ourNumber, to_number: '+34600123456' });
    const call = await waitForCall(api, placed.id, (c) => ENDED.includes(c.status) && c.recording_url, 30_000);
    const sipp = await assertSippPassed(callee, `callee (${scenario}, then its own BYE)`);
    assert.equal(call.status, 'completed', habla.output().slice(-3000));
    assert.equal(call.end_reason, 'customer_hangup');

    const log = await callLog(api, placed.id);
    const events = log.map((e) => e.event);
    assert.deepEqual(events.filter((e) => e.startsWith('transfer')), expected.events, events.join(', '));
    assert.equal(events.includes('transfer_accepted'), expected.accepted, events.join(', '));
    assert.equal(log.find((e) => e.event === 'transfer_failed')!.data.reason, reason);

    const messages = (await api('GET', `/v1/call/${placed.id}/message?order=asc&limit=50`)).data;
    const roles = messages.map((m: any) => [m.role, m.content]);
    const tool = messages.find((m: any) => m.role === 'tool');
    assert.ok(tool, JSON.stringify(messages));
    assert.ok(JSON.stringify(tool.tool_call).includes(reason), JSON.stringify(tool.tool_call));
    assert.deepEqual(roles.at(-1), ['assistant', SORRY], JSON.stringify(roles));

    // The agent spoke after the refusal: after the greeting, the hand-over line and the apology
    // (back to back: the 405 comes at once) — more agent audio than the hand-over line alone.
    const [, agentChannel] = readWav(await downloadRecording(call)).channels;
    const spoken = activeSegments(agentChannel, { sampleRate: 8000, minSilenceMs: 600 });
    const afterGreeting = spoken.slice(1).reduce((ms, s) => ms + s.endMs - s.startMs, 0);
    const handoverMs = (await synthesizeEspeak(HANDOVER, { voice: 'es' })).length / 8;
    const sorryMs = (await synthesizeEspeak(SORRY, { voice: 'es' })).length / 8;
    assert.ok(afterGreeting > handoverMs + sorryMs * 0.7, `hand-over (${handoverMs} ms) and apology (${sorryMs} ms) played: ${JSON.stringify(spoken)}`);
    return sipp.messages;
  } finally {
    await callee.cleanup();
  }
}

test('a REFER the trunk refuses (405) is followed by our own INVITE to the target through the same trunk; busy (486): the agent keeps the call', async () => {
  const wire = await transferFails({
    scenario: 'uas-answer-refuse-refer', calls: 2, reason: 'target_status_486', accepted: false,
    events: ['transfer_requested', 'transfer_refused', 'transfer_fallback_invite', 'transfer_target_sip_error', 'transfer_failed'],
  }, '+34910000001');
  // The second INVITE the trunk got dials the configured number, from our own number.
  const invites = [...wire.matchAll(/^INVITE sip:[^\n]*\n[\s\S]*?\n\s*\n/gm)].map((m) => m[0]);
  const target = invites.find((invite) => invite.startsWith(`INVITE sip:${TARGET}@`));
  assert.ok(target, `an INVITE for the target: ${invites.map((i) => i.split('\n')[0]).join(' | ')}`);
  assert.match(target, /^From: <sip:\+34910000001@127\.0\.0\.1:\d+>;tag=/m);
});

test('a transfer target that is busy (NOTIFY sipfrag 486) leaves the call with the agent, who says so; nobody dials it again', async () => {
  await transferFails({
    scenario: 'uas-answer-refer-target-busy', calls: 1, reason: 'target_status_486', accepted: true,
    events: ['transfer_requested', 'transfer_accepted', 'transfer_failed'],
  }, '+34910000003');
});
