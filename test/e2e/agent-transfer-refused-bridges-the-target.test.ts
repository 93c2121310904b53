// A cold transfer whose REFER the caller's trunk refuses (405), completed by Habla itself
// (HABLA_AGENT_MODE=agent): a caller sipp (UAC) asks the agent for a person; the mock OpenAI
// server answers with a hand-over line and a transfer_call tool call; the REFER gets 405; Habla
// sends its own INVITE for the configured number to the phone's outbound trunk — a second sipp
// (UAS), which challenges it (digest) and answers — and bridges the two calls. The call ends
// `transferred` when one of the two people hangs up, Habla BYEs the other; a shutdown during the
// bridge BYEs both and ends it transferred/server_shutdown.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { readWav } from '../../src/engine/recording/wav.ts';
import { decodeUlaw, encodeUlaw } from '../../src/telephony/codecs/g711.ts';
import { synthesizeEspeak } from '../../src/voice/tts/espeak.ts';
import { createTransferAgent, customerAudio, ENDED, framesFound, scriptTransferLlm, startTransferServer, TARGET, writeUlaw } from '../helpers/agent-transfer.ts';
import { startMockOpenAi } from '../helpers/mock-openai-server.ts';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp, type SippRun } from '../helpers/sipp.ts';
import { callLog, downloadRecording, importNumber, waitForCall, waitForCallWhere, type HablaApi } from '../helpers/telephony.ts';

/** What the caller says once bridged; the target echoes it back (sipp -rtp_echo). */
const PROBE = 'Uno, dos, tres, cuatro, cinco.';
/**
 * Where the probe starts in the caller's audio: well after the hand-over line has played (about
 * 7 s in), and again every PROBE_EVERY_MS until the caller hangs up, so a bridge that a loaded
 * machine put up late still carries one whole probe.
 */
const PROBE_AT_MS = 13_000;
const PROBE_EVERY_MS = 4000;
const PROBES = 5;
/** The caller hangs up this long after its 405: the bridge has lasted most of it. */
const CALLER_STAYS_MS = 12_000;
const TARGET_SAYS = 'Hola, soy Marta, del servicio técnico. Adiós.';

/** Speech as a peer sends it and Habla decodes it: through µ-law once. */
const asSent = (pcm: Int16Array): Int16Array => decodeUlaw(encodeUlaw(pcm));

let habla: HablaProcess;
let api: HablaApi;
const llm = await startMockOpenAi();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-transfer-bridge-e2e-'));
const peers: SippRun[] = [];
const servers: HablaProcess[] = [];
scriptTransferLlm(llm, '');

before(async () => {
  ({ habla, api } = await startTransferServer(llm));
  servers.push(habla);
});
after(async () => {
  for (const peer of peers) await peer.cleanup();
  for (const server of servers) await server.stop();
  await llm.close();
  for (const dir of new Set(servers.map((s) => s.dataDir))) fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

/** An inbound number whose agent transfers, with `target` as its outbound trunk. */
async function numberOnTrunk(on: HablaApi, number: string, target: SippRun, credentials = {}): Promise<string> {
  const agentId = await createTransferAgent(on);
  const phone = await importNumber(on, { number, terminationUri: `127.0.0.1:${target.sipPort}`, inboundAgentId: agentId, ...credentials });
  return phone.id;
}

async function call(caller: SippRun, phoneId: string, until: (c: any) => boolean = (c) => ENDED.includes(c.status) && c.recording_url, on = api): Promise<any> {
  const created = await waitForCallWhere(on, `type=inbound&phone_id=${phoneId}`);
  try {
    return await waitForCall(on, created.id, until, 45_000);
  } catch (error) {
    await caller.kill();
    console.error((await caller.exited).report);
    throw error;
  }
}

async function waitForLogEvent(on: HablaApi, callId: string, event: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await callLog(on, callId)).some((e) => e.event === event)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`call ${callId} never logged ${event}`);
}

test('REFER refused: Habla dials the target through the trunk (digest), bridges it both ways; the caller hangs up and the target gets BYE', async () => {
  const probe = await synthesizeEspeak(PROBE, { voice: 'es' });
  const target = await startSipp({ scenario: 'uas-401-then-answer-wait-bye', rtpEcho: true, keys: { auth_user: 'habla', auth_password: 's3cret' }, timeoutMs: 45_000 });
  peers.push(target);
  const phoneId = await numberOnTrunk(api, '+34910000004', target, { username: 'habla', password: 's3cret' });
  const probes = Array.from({ length: PROBES }, (_, i) => ({ atMs: PROBE_AT_MS + i * PROBE_EVERY_MS, pcm: probe }));
  const callerAudio = await customerAudio(work, 'caller-probe', probes, PROBE_AT_MS + PROBES * PROBE_EVERY_MS);
  const caller = await startSipp({
    scenario: 'uac-call-refuse-refer', remote: `127.0.0.1:${habla.sipPort}`, service: '+34910000004',
    keys: { play: `${callerAudio},1,0` }, vars: { hangup_after_ms: CALLER_STAYS_MS }, timeoutMs: 45_000,
  });
  peers.push(caller);
  const ended = await call(caller, phoneId);
  await assertSippPassed(caller, 'caller (REFER 405, stays, then its BYE)');
  const targetWire = await assertSippPassed(target, 'target (401, then answers, echoes, gets BYE)');
  assert.equal(ended.status, 'transferred', habla.output().slice(-3000));
  assert.equal(ended.end_reason, 'transferred');
  // The call lasted as long as the bridge: the caller hung up CALLER_STAYS_MS after the 405.
  assert.ok(ended.duration >= CALLER_STAYS_MS / 1000, `duration ${ended.duration} s`);

  // On the target's wire: the configured number at the trunk, from our number, authenticated.
  const invites = [...targetWire.messages.matchAll(/^INVITE sip:[^\n]*\n[\s\S]*?\n\s*\n/gm)].map((m) => m[0]);
  assert.equal(invites.length, 2, targetWire.messages.slice(-4000));
  assert.ok(invites.every((invite) => invite.startsWith(`INVITE sip:${TARGET}@127.0.0.1:${target.sipPort} SIP/2.0`)), invites[0]);
  assert.match(invites[0], /^From: <sip:\+34910000004@127\.0\.0\.1:\d+>;tag=/m);
  assert.match(invites[1], /^Authorization: Digest username="habla"/m);

  const log = await callLog(api, ended.id);
  const events = log.map((e) => e.event);
  assert.deepEqual(events.filter((e) => e.startsWith('transfer')), [
    'transfer_requested', 'transfer_refused', 'transfer_fallback_invite', 'transfer_target_auth_challenge', 'transfer_fallback_invite', 'transfer_bridged', 'transfer_bridge_ended',
  ], events.join(', '));
  assert.equal(log.find((e) => e.event === 'transfer_refused')!.data.reason, 'refer_rejected_405');
  assert.ok(log.filter((e) => e.event.startsWith('transfer')).every((e) => e.category === 'TRANSFER'), 'one category to filter a transfer on');
  const bridgeEnded = log.find((e) => e.event === 'transfer_bridge_ended')!.data;
  assert.equal(bridgeEnded.by, 'customer');
  assert.ok(bridgeEnded.frames_to_target > 0 && bridgeEnded.frames_to_customer > 0, JSON.stringify(bridgeEnded));
  const callEnded = log.find((e) => e.event === 'call_ended')!.data;
  assert.deepEqual([callEnded.status, callEnded.end_reason, callEnded.by], ['transferred', 'transferred', 'customer']);
  assert.ok(!JSON.stringify(log).includes(TARGET.slice(1)), 'the target number is not in the call log');

  const tool = (await api('GET', `/v1/call/${ended.id}/message?order=asc&limit=50`)).data.find((m: any) => m.role === 'tool');
  assert.equal(tool?.tool_call?.status, 'success', JSON.stringify(tool));

  // The recording follows the caller: what they said (left) and what they heard (right). The
  // probe went caller → Habla → target, was echoed, and came back target → Habla → caller, each
  // hop a G.711 relay that keeps every 20 ms frame exactly.
  const [said, heard] = readWav(await downloadRecording(ended)).channels;
  const reference = asSent(probe);
  const echoed = framesFound(heard, reference);
  const spoken = framesFound(said, reference, echoed.firstAtMs - 2000);
  console.log(`probe said at ${spoken.firstAtMs} ms (${spoken.found}/${spoken.audible} frames), heard back at ${echoed.firstAtMs} ms (${echoed.found}/${echoed.audible}): ${echoed.firstAtMs - spoken.firstAtMs} ms round trip through the bridge`);
  assert.ok(spoken.found >= spoken.audible * 0.9, `the caller's probe is in the recording: ${JSON.stringify(spoken)}`);
  assert.ok(echoed.found >= echoed.audible * 0.9, `the target's echo of the probe reached the caller: ${JSON.stringify(echoed)}`);
});

test('bridged, the target hangs up: Habla BYEs the caller; the call ends transferred, by the agent side', async () => {
  const greeting = await synthesizeEspeak(TARGET_SAYS, { voice: 'es' });
  const targetAudio = writeUlaw(work, 'target', new Int16Array([...new Int16Array(4000), ...greeting]));
  const target = await startSipp({ scenario: 'uas-answer-play-hangup', keys: { play: `${targetAudio},1,0` }, vars: { hangup_after_ms: 500 + greeting.length / 8 + 1500 }, timeoutMs: 45_000 });
  peers.push(target);
  const phoneId = await numberOnTrunk(api, '+34910000005', target);
  const caller = await startSipp({
    scenario: 'uac-call-refuse-refer-wait-bye', remote: `127.0.0.1:${habla.sipPort}`, service: '+34910000005',
    keys: { play: `${await customerAudio(work, 'caller', [], 10_000)},1,0` }, timeoutMs: 45_000,
  });
  peers.push(caller);
  const ended = await call(caller, phoneId);
  const log = await callLog(api, ended.id);
  // What the call did comes first: when the target never rang, its sipp only says it timed out.
  assert.deepEqual([ended.status, ended.end_reason], ['transferred', 'transferred'], JSON.stringify(log.map((e) => [e.event, e.data])));
  await assertSippPassed(target, 'target (answers, speaks, hangs up)');
  await assertSippPassed(caller, 'caller (REFER 405, then BYE from Habla)');

  assert.equal(log.find((e) => e.event === 'transfer_bridge_ended')?.data.by, 'target', JSON.stringify(log.map((e) => e.event)));
  assert.equal(log.find((e) => e.event === 'call_ended')!.data.by, 'agent');
  assert.ok(log.some((e) => e.event === 'transfer_target_ringing'), 'the target rang (180)');

  const [, heard] = readWav(await downloadRecording(ended)).channels;
  const greeted = framesFound(heard, asSent(greeting));
  const bridge = log.find((e) => e.event === 'transfer_bridge_ended')?.data;
  assert.ok(greeted.found >= greeted.audible * 0.9, `the target's words reached the caller: ${JSON.stringify(greeted)}; bridge ${JSON.stringify(bridge)}`);
});

test('shutdown during a bridge: both people get BYE; the call ends transferred/server_shutdown', async () => {
  const own = await startTransferServer(llm);
  servers.push(own.habla);
  const target = await startSipp({ scenario: 'uas-answer-echo-wait-bye', rtpEcho: true, timeoutMs: 45_000 });
  peers.push(target);
  const phoneId = await numberOnTrunk(own.api, '+34910000006', target);
  const caller = await startSipp({
    scenario: 'uac-call-refuse-refer-wait-bye', remote: `127.0.0.1:${own.habla.sipPort}`, service: '+34910000006',
    keys: { play: `${await customerAudio(work, 'caller', [], 10_000)},1,0` }, timeoutMs: 45_000,
  });
  peers.push(caller);
  const live = await call(caller, phoneId, (c) => c.status === 'in_progress', own.api);
  await waitForLogEvent(own.api, live.id, 'transfer_bridged');
  assert.equal(await own.habla.stop(), 0, own.habla.output().slice(-3000));
  await assertSippPassed(caller, 'caller (BYE from Habla at shutdown)');
  await assertSippPassed(target, 'target (BYE from Habla at shutdown)');

  const restarted = await startTransferServer(llm, {}, { dataDir: own.habla.dataDir, adminKey: own.habla.adminKey });
  servers.push(restarted.habla);
  const ended = await restarted.api('GET', `/v1/call/${live.id}`);
  assert.deepEqual([ended.status, ended.end_reason], ['transferred', 'server_shutdown'], JSON.stringify(ended));
  const log = await callLog(restarted.api, live.id);
  const bridgeEnded = log.find((e) => e.event === 'transfer_bridge_ended')!.data;
  assert.deepEqual([bridgeEnded.by, bridgeEnded.reason], ['system', 'server_shutdown']);
  assert.deepEqual(log.filter((e) => e.event === 'call_ended').map((e) => e.data.by), ['system']);
});
