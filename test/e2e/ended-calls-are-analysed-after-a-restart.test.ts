// A call that ended while no analysis could run (the process stopped, or it had no real LLM) is
// analysed by the next `habla serve` that has one: the real server process finds it by its
// analysis_status at start, asks the LLM (a local server speaking the OpenAI protocol) and
// serves the summary, sentiment and success on GET /v1/call/{id}.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { ANALYSIS_PROMPT_MARKER } from '../../src/analysis/prompt.ts';
import { openStore } from '../../src/store/database.ts';
import { CallAnalysisRepository } from '../../src/store/repositories/call-analysis.ts';
import { CallRepository } from '../../src/store/repositories/calls.ts';
import { ContactRepository } from '../../src/store/repositories/contacts.ts';
import { MessageRepository } from '../../src/store/repositories/messages.ts';
import { ProjectRepository } from '../../src/store/repositories/projects.ts';
import { startMockOpenAi } from '../helpers/mock-openai-server.ts';
import { startHablaProcess, type HablaProcess } from '../helpers/server-process.ts';

const ANALYSIS = { summary: 'La clienta anuló su cita del martes.', sentiment: 'neutral', success: true };
const started: HablaProcess[] = [];
const llm = await startMockOpenAi();
llm.script((request) =>
  String(request.body?.messages?.[0]?.content ?? '').startsWith(ANALYSIS_PROMPT_MARKER) ? { text: JSON.stringify(ANALYSIS) } : { text: 'OK.' });

after(async () => {
  for (const habla of started) await habla.stop();
  await llm.close();
  if (started[0]) fs.rmSync(started[0].dataDir, { recursive: true, force: true });
});

const OPENAI = { HABLA_LLM_PROVIDER: 'openai', HABLA_LLM_BASE_URL: llm.baseUrl, HABLA_LLM_MODEL: 'mock' };

async function start(env: Record<string, string>, previous?: HablaProcess): Promise<HablaProcess> {
  const habla = await startHablaProcess(env, undefined, previous && { dataDir: previous.dataDir, adminKey: previous.adminKey });
  started.push(habla);
  return habla;
}

async function getCall(habla: HablaProcess, id: string): Promise<any> {
  const response = await fetch(`${habla.url}/v1/call/${id}`, { headers: { authorization: `Bearer ${habla.adminKey}` } });
  assert.equal(response.status, 200);
  return response.json();
}

/** Writes, while no server runs, a call that ended after the caller spoke: as a crash between its end and its analysis leaves it. */
async function storeEndedConversation(dataDir: string): Promise<string> {
  const store = openStore(`sqlite:${path.join(dataDir, 'habla.sqlite')}`);
  try {
    const projectId = (await new ProjectRepository(store.db).findDefault())!.projectId;
    const contact = await new ContactRepository(store.db).findOrCreate(projectId, 'call', '+34600111222');
    const calls = new CallRepository(store.db);
    const call = await calls.create({
      projectId, agentId: null, agentVersionId: null, phoneId: null, contactId: contact.id, type: 'outbound', status: 'dialing',
      fromNumber: '+34910000001', toNumber: contact.identifier, dynamicVariables: null,
    });
    await calls.markAnswered(call.id);
    const messages = new MessageRepository(store.db);
    await messages.append(call.id, 'assistant', 'Hola, Clínica Sol, ¿en qué puedo ayudarle?');
    await messages.append(call.id, 'user', 'Quería anular mi cita del martes.');
    await new CallAnalysisRepository(store.db).markPending(call.id);
    await calls.finish(call.id, 'completed', 'customer_hangup');
    return call.id;
  } finally {
    await store.close();
  }
}

test('an ended call left pending is analysed by the next start that has an LLM, not by one without', async () => {
  const first = await start({});
  assert.equal(await first.stop(), 0);
  const callId = await storeEndedConversation(first.dataDir);

  // The offline demo's scripted LLM cannot read a call: the analysis waits.
  const scripted = await start({}, first);
  assert.match(scripted.output(), /post-call analysis off/);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const waiting = await getCall(scripted, callId);
  assert.equal(waiting.analysis_status, 'pending');
  assert.equal(waiting.summary, null);
  assert.equal(waiting.transcript, 'Agent: Hola, Clínica Sol, ¿en qué puedo ayudarle?\n\nCaller: Quería anular mi cita del martes.');
  assert.equal(await scripted.stop(), 0);
  assert.equal(llm.requests.length, 0);

  const real = await start(OPENAI, first);
  const deadline = Date.now() + 15_000;
  let call = await getCall(real, callId);
  while (call.analysis_status !== 'completed' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    call = await getCall(real, callId);
  }
  assert.equal(call.analysis_status, 'completed', real.output());
  assert.deepEqual([call.summary, call.sentiment, call.success], [ANALYSIS.summary, ANALYSIS.sentiment, ANALYSIS.success]);
  const analysisRequests = llm.requests.filter((r) => String(r.body.messages[0].content).startsWith(ANALYSIS_PROMPT_MARKER));
  assert.equal(analysisRequests.length, 1);
  assert.match(analysisRequests[0]!.body.messages[0].content, /in Spanish/);
  assert.match(real.output(), /post-call analysis resumed/);
  assert.doesNotMatch(real.output(), /anular mi cita/, 'the transcript stays out of the log');
});
