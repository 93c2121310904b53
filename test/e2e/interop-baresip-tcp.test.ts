// SIP over TCP with a real softphone, baresip 1.0 (Debian), both ways: baresip dials one of our
// numbers with `;transport=tcp` and hangs up after speaking; Habla calls baresip through a trunk
// configured `host:port;transport=tcp`, and the API hangs up. The signalling must really be TCP
// (baresip's SIP trace shows `SIP/2.0/TCP` Vias) and audio must flow both ways.
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
import { createPublishedAgent, downloadRecording, importNumber, startTelephonyServer, waitForCall, waitForCallWhere, type HablaApi } from '../helpers/telephony.ts';

let habla: HablaProcess;
let api: HablaApi;
let agentId: string;
let speech: string;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-baresip-tcp-'));
const phones: Baresip[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

before(async () => {
  ({ habla, api } = await startTelephonyServer());
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

function explainOnFailure(t: { after(fn: () => void): void }, b: () => Baresip | undefined): void {
  t.after(() => {
    if ((t as { passed?: boolean }).passed !== false) return;
    console.error(`--- habla ---\n${habla.output().slice(-5000)}\n--- baresip ---\n${b()?.output().slice(-5000)}`);
  });
}

/** Both channels of Habla's recording hold audio: the phone's speech and the greeting. */
function assertAudioBothWays(wavBytes: Buffer): void {
  const [callerChannel, agentChannel] = readWav(wavBytes).channels;
  assert.ok(activeSegments(callerChannel, { sampleRate: 8000 }).length > 0, 'caller channel holds baresip\'s speech');
  assert.ok(activeSegments(agentChannel, { sampleRate: 8000 }).length > 0, 'agent channel holds the greeting');
}

test('baresip calls in over TCP, speaks and hangs up: completed/customer_hangup', async (t) => {
  let caller: Baresip | undefined;
  explainOnFailure(t, () => caller);
  const number = '+34910000091';
  await importNumber(api, { number, inboundAgentId: agentId });
  caller = await phone({ user: '+34600222444', audioSource: speech });

  await caller.dial(`sip:${number}@127.0.0.1:${habla.sipPort};transport=tcp`);
  await caller.waitFor('CALL_ESTABLISHED');
  const created = await waitForCallWhere(api, 'type=inbound');
  await sleep(3500);
  await caller.hangup();
  await caller.waitFor('CALL_CLOSED');
  const call = await waitForCall(api, created.id, (c) => c.status === 'completed' && c.recording_url, 10_000);
  assert.equal(call.end_reason, 'customer_hangup');
  assert.match(caller.output(), /Via: SIP\/2\.0\/TCP /, 'the signalling went over TCP');
  assertAudioBothWays(await downloadRecording(call));
  assert.ok(analyseWav(caller.recordings()[0].received).activeMs > 1000, 'baresip heard the greeting');
});

test('Habla calls baresip through a ;transport=tcp trunk; the API hangs up: completed/api_hangup', async (t) => {
  let callee: Baresip | undefined;
  explainOnFailure(t, () => callee);
  callee = await phone({ user: '+34600123457', audioSource: speech });
  const number = '+34910000092';
  await importNumber(api, { number, terminationUri: `127.0.0.1:${callee.sipPort};transport=tcp`, outboundAgentId: agentId });

  const placed = await api('POST', '/v1/call/', { from_number: number, to_number: '+34600123457' });
  await waitForCall(api, placed.id, (c) => c.status === 'in_progress', 10_000);
  await callee.waitFor('CALL_ESTABLISHED');
  await sleep(3500);
  const hangup = await api.raw('POST', `/v1/call/${placed.id}/hangup`);
  assert.ok(hangup.ok, `hangup → ${hangup.status} ${await hangup.text()}`);
  await callee.waitFor('CALL_CLOSED');
  const call = await waitForCall(api, placed.id, (c) => c.status === 'completed' && c.recording_url, 10_000);
  assert.equal(call.end_reason, 'api_hangup');
  assert.match(callee.output(), /Via: SIP\/2\.0\/TCP /, 'the signalling went over TCP');
  assertAudioBothWays(await downloadRecording(call));
  assert.ok(analyseWav(callee.recordings()[0].received).activeMs > 1000, 'baresip heard the greeting');
});
