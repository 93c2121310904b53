// Inbound INVITEs that reach an admitted number (agent published, source allowed) but carry an
// SDP offer Habla cannot answer: G.729 only, SRTP to a number whose inbound media_encryption is
// 'disable', plain RTP to a number that requires SRTP. Each gets 488 Not Acceptable Here with a
// Warning saying why, and no call row is created. A good offer to the same number afterwards is
// answered, so the empty call list is not an accident of the setup.
// (A CANCEL-before-answer test is not here: Habla answers admitted calls at once, so sipp cannot
// reliably CANCEL before the 200 OK.)
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { writeDtmfPcap } from '../helpers/audio-fixtures.ts';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp, type SippResult } from '../helpers/sipp.ts';
import { createPublishedAgent, importNumber, startTelephonyServer, waitForCall, waitForCallWhere, type HablaApi } from '../helpers/telephony.ts';

let habla: HablaProcess;
let api: HablaApi;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-inbound-488-'));
const PLAIN_ONLY = '+34910000003';
const SRTP_ONLY = '+34910000004';

before(async () => {
  ({ habla, api } = await startTelephonyServer());
  const agent = await createPublishedAgent(api, { greeting: 'Hola.' });
  await importNumber(api, { number: PLAIN_ONLY, inboundEncryption: 'disable', allowedAddresses: ['127.0.0.1'], inboundAgentId: agent.agentId });
  await importNumber(api, { number: SRTP_ONLY, inboundEncryption: 'require', inboundAgentId: agent.agentId });
});
after(async () => {
  await habla?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

async function offer(service: string, media: string, attribute: string): Promise<SippResult> {
  const run = await startSipp({
    scenario: 'invite-offer-488', remote: `127.0.0.1:${habla.sipPort}`, service,
    keys: { offer_media: media, offer_attribute: attribute }, timeoutMs: 10_000,
  });
  try {
    return await assertSippPassed(run, `INVITE with m=audio … ${media}`);
  } catch (error) {
    console.error(habla.output().slice(-4000));
    throw error;
  } finally {
    await run.cleanup();
  }
}

/** The Warning header of the 488 sipp received. */
function warningOf(result: SippResult): string {
  const response = result.messages.split(/\n(?=-{5,})/).find((block) => /SIP\/2\.0 488 /.test(block)) ?? '';
  return /^\s*Warning:\s*(.*)$/m.exec(response)?.[1] ?? `(no Warning in: ${response || result.messages.slice(-2000)})`;
}

async function callCount(): Promise<number> {
  return (await api('GET', '/v1/call/?limit=100')).data.length;
}

test('only G.729 offered: 488 "no common codec", no call', async () => {
  const result = await offer(`00${PLAIN_ONLY.slice(1)}`, 'RTP/AVP 18', 'a=rtpmap:18 G729/8000');
  assert.match(warningOf(result), /^305 habla "no common codec/);
  assert.equal(await callCount(), 0);
});

test('RTP/SAVP offered to a number with inbound media_encryption disable: 488, no call', async () => {
  const key = randomBytes(30).toString('base64');
  const result = await offer(PLAIN_ONLY.slice(1), 'RTP/SAVP 0 101', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}`);
  assert.match(warningOf(result), /^305 habla "SRTP offered but media encryption is disabled"/);
  assert.equal(await callCount(), 0);
});

test('plain RTP offered to a number that requires SRTP: 488, no call', async () => {
  const result = await offer(SRTP_ONLY, 'RTP/AVP 0', 'a=rtpmap:0 PCMU/8000');
  assert.match(warningOf(result), /^305 habla "media encryption is required/);
  assert.equal(await callCount(), 0);
});

test('control: a PCMU offer to the same number is answered and becomes a call', async () => {
  const pcap = writeDtmfPcap(path.join(work, 'key.pcap'), '1');
  const caller = await startSipp({
    scenario: 'uac-call-dtmf-hangup', remote: `127.0.0.1:${habla.sipPort}`, service: PLAIN_ONLY.slice(1),
    keys: { pcap: pcap.path }, vars: { hangup_after_ms: pcap.durationMs + 300 }, timeoutMs: 10_000,
  });
  try {
    await assertSippPassed(caller, 'caller');
  } finally {
    await caller.cleanup();
  }
  const call = await waitForCallWhere(api, 'type=inbound');
  const ended = await waitForCall(api, call.id, undefined, 5000);
  assert.equal(ended.status, 'completed');
  assert.equal(await callCount(), 1);
});
