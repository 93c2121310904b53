// The agent transfers a real outbound call (HABLA_AGENT_MODE=agent): sipp answers and asks for a
// person; the mock OpenAI server answers with a short line and a transfer_call tool call. Habla
// sends an in-dialog REFER (RFC 3515) naming the configured number at the trunk, sipp accepts it
// (202), reports the target's answer with NOTIFY (message/sipfrag "SIP/2.0 200 OK"), and Habla
// hangs its own leg up with BYE: the call ends transferred/transferred, the call log shows the
// transfer and the transcript holds the tool call. The same on an inbound call: the REFER goes
// back to the caller's address.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createTransferAgent, customerAudio, scriptTransferLlm, startTransferServer, TARGET } from '../helpers/agent-transfer.ts';
import { startMockOpenAi } from '../helpers/mock-openai-server.ts';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp } from '../helpers/sipp.ts';
import { callLog, importNumber, waitForCall, waitForCallWhere, type HablaApi } from '../helpers/telephony.ts';

let habla: HablaProcess;
let api: HablaApi;
const llm = await startMockOpenAi();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-transfer-e2e-'));
scriptTransferLlm(llm, '');

before(async () => {
  ({ habla, api } = await startTransferServer(llm));
});
after(async () => {
  await habla?.stop();
  await llm.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/** The callee: 2.5 s of silence (the greeting plays), the request, then silence. */
const calleeAudio = () => customerAudio(work, 'callee');
const createAgent = () => createTransferAgent(api);

test('the transfer_call tool REFERs the callee to the configured number; the call ends transferred', async () => {
  const callee = await startSipp({ scenario: 'uas-answer-accept-refer', keys: { play: `${await calleeAudio()},1,0` }, timeoutMs: 30_000 });
  try {
    const agentId = await createAgent();
    await importNumber(api, { number: '+34910000001', terminationUri: `127.0.0.1:${callee.sipPort}`, outboundAgentId: agentId });
    const placed = await api('POST', '/v1/call/', { from_number: '+34910000001', to_number: '+34600123456' });
    const call = await waitForCall(api, placed.id, (c) => ['completed', 'failed', 'transferred', 'no_answer'].includes(c.status), 30_000);
    const sipp = await assertSippPassed(callee, 'callee (REFER 202, NOTIFY 200 OK, BYE)');
    assert.equal(call.status, 'transferred', habla.output().slice(-3000));
    assert.equal(call.end_reason, 'transferred');

    // On the wire: the REFER names the configured number at the trunk and says who referred.
    const refer = /REFER sip:[^\n]*\n[\s\S]*?\n\s*\n/.exec(sipp.messages)?.[0] ?? '';
    assert.match(refer, new RegExp(`Refer-To: <sip:\\${TARGET}@127\\.0\\.0\\.1:${callee.sipPort}>`), sipp.messages.slice(-4000));
    assert.match(refer, /Referred-By: <sip:habla@/);

    const log = await callLog(api, placed.id);
    const events = log.map((e) => e.event);
    for (const event of ['answered', 'transfer_requested', 'transfer_accepted', 'transferred', 'call_ended']) assert.ok(events.includes(event), `${event} in ${events.join(', ')}`);
    assert.ok(events.indexOf('transferred') < events.indexOf('call_ended'));
    const ended = log.find((e) => e.event === 'call_ended')!;
    assert.deepEqual([ended.data.status, ended.data.end_reason, ended.data.by], ['transferred', 'transferred', 'agent']);
    assert.ok(!JSON.stringify(log).includes(TARGET.slice(1)), 'the target number is not in the call log');

    const messages = (await api('GET', `/v1/call/${placed.id}/message?order=asc&limit=50`)).data;
    const tool = messages.find((m: any) => m.role === 'tool');
    assert.ok(tool, `a tool message: ${JSON.stringify(messages)}`);
    assert.equal(tool.tool_call.tool_name, 'transfer');
  } finally {
    await callee.cleanup();
  }
});

test('an inbound call: the agent REFERs the caller back through its own address; the call ends transferred', async () => {
  const agentId = await createAgent();
  await importNumber(api, { number: '+34910000002', inboundAgentId: agentId });
  const caller = await startSipp({
    scenario: 'uac-call-accept-refer', remote: `127.0.0.1:${habla.sipPort}`, service: '+34910000002',
    keys: { play: `${await calleeAudio()},1,0` }, timeoutMs: 30_000,
  });
  try {
    const created = await waitForCallWhere(api, 'type=inbound');
    const call = await waitForCall(api, created.id, (c) => ['completed', 'failed', 'transferred', 'no_answer'].includes(c.status), 30_000);
    const sipp = await assertSippPassed(caller, 'caller (REFER 202, NOTIFY 200 OK, BYE)');
    assert.equal(call.status, 'transferred', habla.output().slice(-3000));
    assert.equal(call.end_reason, 'transferred');
    const refer = /REFER sip:[^\n]*\n[\s\S]*?\n\s*\n/.exec(sipp.messages)?.[0] ?? '';
    assert.match(refer, new RegExp(`Refer-To: <sip:\\${TARGET}@127\\.0\\.0\\.1:${caller.sipPort}>`), sipp.messages.slice(-4000));
    const events = (await callLog(api, created.id)).map((e) => e.event);
    assert.deepEqual(events.filter((e) => e.startsWith('transfer')), ['transfer_requested', 'transfer_accepted', 'transferred'], events.join(', '));
  } finally {
    await caller.cleanup();
  }
});
