// Post-call analysis against a real HTTP server speaking the OpenAI streaming protocol: the
// configured LLM reads the transcript and answers strict JSON; a valid answer is stored with
// its call_analyzed webhook event, an unusable one is asked for once more, then the call is
// marked failed without an event. Calls left unanalysed are found again at start.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { CallAnalyzer, type AnalyzerLogger } from '../../src/analysis/call-analyzer.ts';
import { ANALYSIS_PROMPT_MARKER } from '../../src/analysis/prompt.ts';
import { defaultAgentSettings } from '../../src/domain/agent.ts';
import { newId } from '../../src/domain/ids.ts';
import { TranscriptRecorder } from '../../src/engine/transcript-recorder.ts';
import { AgentRepository } from '../../src/store/repositories/agents.ts';
import { CallAnalysisRepository } from '../../src/store/repositories/call-analysis.ts';
import { CallRepository } from '../../src/store/repositories/calls.ts';
import { ContactRepository } from '../../src/store/repositories/contacts.ts';
import { MessageRepository } from '../../src/store/repositories/messages.ts';
import { createLlmProvider } from '../../src/voice/llm/create-llm.ts';
import { describeEachDatabase, type TestApi } from '../helpers/app.ts';
import { startMockOpenAi, type MockOpenAiServer, type MockReply } from '../helpers/mock-openai-server.ts';
import { nextSpanishNumber } from './call-fixtures.ts';

const VALID = { summary: 'El cliente cambió su cita del martes al jueves.', sentiment: 'positive' as const, success: true };

class CapturingLogger implements AnalyzerLogger {
  readonly entries: { level: string; fields: any; message: string }[] = [];
  info(fields: object, message: string) { this.entries.push({ level: 'info', fields, message }); }
  warn(fields: object, message: string) { this.entries.push({ level: 'warn', fields, message }); }
  error(fields: object, message: string) { this.entries.push({ level: 'error', fields, message }); }
}

describeEachDatabase('post-call analysis', (api) => {
  let llmServer: MockOpenAiServer;
  let spanishVersionId: string;
  let englishVersionId: string;
  before(async () => {
    llmServer = await startMockOpenAi();
    const agents = new AgentRepository(api().store.db);
    for (const language of ['es', 'en'] as const) {
      const settings = { ...defaultAgentSettings(newId(), language), name: 'Citas', prompt: 'Gestiona las citas de la Clínica Sol.' };
      const created = await agents.create(api().projectId, settings, { isDraft: false });
      if (language === 'es') spanishVersionId = created.version.id;
      else englishVersionId = created.version.id;
    }
  });
  after(() => llmServer.close());

  function analyzer(options: { concurrency?: number; staleClaimMs?: number } = {}) {
    const logger = new CapturingLogger();
    const llm = createLlmProvider(
      { provider: 'openai', primary: { baseUrl: llmServer.baseUrl, apiKey: undefined, model: 'mock' }, fallback: undefined, firstTokenTimeoutMs: 5000 },
      { resilience: { retries: 0 } },
    );
    const db = api().store.db;
    const instance = new CallAnalyzer({
      llm, logger, analyses: new CallAnalysisRepository(db), messages: new MessageRepository(db), agents: new AgentRepository(db), ...options,
    });
    return { instance, logger };
  }

  /** A call that ran with this agent version; the caller and the agent took these turns; ended unless live. */
  async function callWithTurns(a: TestApi, versionId: string, turns: ['user' | 'assistant', string][], state: 'ended' | 'live' = 'ended') {
    const db = a.store.db;
    const calls = new CallRepository(db);
    const contact = await new ContactRepository(db).findOrCreate(a.projectId, 'call', nextSpanishNumber());
    const call = await calls.create({
      projectId: a.projectId, agentId: null, agentVersionId: versionId, phoneId: null, contactId: contact.id,
      type: 'outbound', status: 'dialing', fromNumber: null, toNumber: contact.identifier, dynamicVariables: null,
    });
    await calls.markAnswered(call.id);
    let writes: Promise<unknown> = Promise.resolve();
    const recorder = new TranscriptRecorder({ id: call.id, projectId: a.projectId }, Date.now(), {
      messages: new MessageRepository(db), analysis: new CallAnalysisRepository(db),
      enqueue: (_what, write) => void (writes = writes.then(write)),
    });
    turns.forEach(([role, text], i) => recorder.onTurn({ role, text, startMs: i * 2000, endMs: i * 2000 + 1500, wallClock: new Date().toISOString(), interrupted: false }));
    await writes;
    if (state === 'ended') assert.ok(await calls.finish(call.id, 'completed', 'customer_hangup'));
    return call.id;
  }

  const CONVERSATION: ['user' | 'assistant', string][] = [
    ['assistant', 'Hola, Clínica Sol, ¿en qué puedo ayudarle?'],
    ['user', 'Quería pasar mi cita del martes al jueves.'],
    ['assistant', 'Hecho, le espero el jueves a las diez.'],
    ['user', 'Perfecto, gracias.'],
  ];

  async function subscribeAnalyzed(): Promise<string> {
    const hook = await api().request('POST', '/v1/webhook/', { body: { url: 'https://hooks.example.com/analysis', subscribed_events: ['call_analyzed'] } });
    assert.equal(hook.status, 200);
    return hook.body.id;
  }
  const outboxOf = (callId: string) =>
    api().store.db.selectFrom('webhook_deliveries').selectAll().where('call_id', '=', callId).where('event_type', '=', 'call_analyzed').execute();
  const requestsFor = (from: number) => llmServer.requests.slice(from);

  it('stores a valid answer with its call_analyzed event, and GET /v1/call/{id} shows it', async () => {
    const hookId = await subscribeAnalyzed();
    try {
      const callId = await callWithTurns(api(), spanishVersionId, CONVERSATION);
      const seen = llmServer.requests.length;
      llmServer.reply({ text: JSON.stringify(VALID) });
      const { instance, logger } = analyzer();
      instance.schedule(callId);
      await instance.idle();

      const requests = requestsFor(seen);
      assert.equal(requests.length, 1);
      const [system, user] = requests[0]!.body.messages;
      assert.ok(system.content.startsWith(ANALYSIS_PROMPT_MARKER));
      assert.match(system.content, /in Spanish/, 'a Spanish agent gets a Spanish summary');
      assert.match(user.content, /Caller: Quería pasar mi cita del martes al jueves\./);
      assert.match(user.content, /Gestiona las citas de la Clínica Sol\./, 'the agent instructions, to judge success');

      const got = (await api().request('GET', `/v1/call/${callId}`)).body;
      assert.equal(got.summary, VALID.summary);
      assert.equal(got.sentiment, 'positive');
      assert.equal(got.success, true);
      assert.equal(got.analysis_status, 'completed');

      const rows = await outboxOf(callId);
      assert.equal(rows.length, 1, 'one call_analyzed event');
      const payload = JSON.parse(rows[0]!.payload);
      assert.equal(payload.event, 'call_analyzed');
      assert.deepEqual(payload.analysis, { summary: VALID.summary, sentiment: 'positive', success: true });
      assert.deepEqual(payload.call, { ...got, recording_url: null }, 'the analysed call as GET /v1/call/{id} returns it');
      assert.ok(logger.entries.every((e) => !JSON.stringify(e).includes('martes')), 'no transcript text in the log');

      // A second analyser that somehow holds the same call cannot store a second result or event.
      assert.equal(await new CallAnalysisRepository(api().store.db).complete(callId, { ...VALID, success: false }), false);
      assert.equal((await outboxOf(callId)).length, 1);
    } finally {
      await api().store.db.deleteFrom('webhooks').where('id', '=', hookId).execute();
    }
  });

  it('asks once more after a malformed answer, telling the model what was wrong; an English agent gets an English summary', async () => {
    const callId = await callWithTurns(api(), englishVersionId, [['assistant', 'Hello, how can I help?'], ['user', 'Cancel my appointment, please.']]);
    const seen = llmServer.requests.length;
    llmServer.reply(
      { text: 'Sure! Here is the analysis: the caller cancelled.' },
      { text: '```json\n{"summary": "The caller cancelled the appointment.", "sentiment": "neutral", "success": true}\n```' },
    );
    const { instance } = analyzer();
    instance.schedule(callId);
    await instance.idle();
    const requests = requestsFor(seen);
    assert.equal(requests.length, 2);
    assert.match(requests[0]!.body.messages[0].content, /in English/);
    const retry = requests[1]!.body.messages;
    assert.equal(retry.at(-2).role, 'assistant');
    assert.equal(retry.at(-2).content, 'Sure! Here is the analysis: the caller cancelled.');
    assert.match(retry.at(-1).content, /not valid JSON/);
    const got = (await api().request('GET', `/v1/call/${callId}`)).body;
    assert.deepEqual([got.analysis_status, got.summary, got.sentiment, got.success], ['completed', 'The caller cancelled the appointment.', 'neutral', true]);
  });

  it('marks the analysis failed after two malformed answers, with no event and a warning', async () => {
    const hookId = await subscribeAnalyzed();
    try {
      const callId = await callWithTurns(api(), spanishVersionId, CONVERSATION);
      const seen = llmServer.requests.length;
      llmServer.reply({ text: 'La llamada fue bien.' }, { text: '{"summary": "Bien.", "sentiment": "happy", "success": true}' });
      const { instance, logger } = analyzer();
      instance.schedule(callId);
      await instance.idle();
      assert.equal(requestsFor(seen).length, 2, 'exactly one retry');
      const got = (await api().request('GET', `/v1/call/${callId}`)).body;
      assert.equal(got.analysis_status, 'failed');
      assert.deepEqual([got.summary, got.sentiment, got.success], [null, null, null]);
      assert.equal((await outboxOf(callId)).length, 0, 'no call_analyzed for a failed analysis');
      const warning = logger.entries.find((e) => e.level === 'warn' && e.message === 'call analysis failed');
      assert.ok(warning);
      assert.equal(warning.fields.call_id, callId);
      assert.equal(warning.fields.problems.length, 2);
      assert.match(warning.fields.problems[1], /sentiment/);

      // Failed is final: scheduling it again asks nothing.
      const before = llmServer.requests.length;
      instance.schedule(callId);
      await instance.idle();
      assert.equal(llmServer.requests.length, before);
    } finally {
      await api().store.db.deleteFrom('webhooks').where('id', '=', hookId).execute();
    }
  });

  it('fails the analysis when the LLM answers errors twice', async () => {
    const callId = await callWithTurns(api(), spanishVersionId, CONVERSATION);
    llmServer.reply({ status: 500, errorBody: { error: { message: 'boom' } } }, { status: 500, errorBody: { error: { message: 'boom' } } });
    const { instance, logger } = analyzer();
    instance.schedule(callId);
    await instance.idle();
    assert.equal((await api().request('GET', `/v1/call/${callId}`)).body.analysis_status, 'failed');
    const warning = logger.entries.find((e) => e.message === 'call analysis failed')!;
    assert.match(warning.fields.problems[0], /^llm server/);
  });

  it('does not analyse live calls, nor calls where only the agent spoke', async () => {
    const live = await callWithTurns(api(), spanishVersionId, CONVERSATION, 'live');
    const agentOnly = await callWithTurns(api(), spanishVersionId, [['assistant', 'Hola, ¿me oye?']]);
    const seen = llmServer.requests.length;
    const { instance } = analyzer();
    instance.schedule(live);
    instance.schedule(agentOnly);
    await instance.idle();
    assert.equal(llmServer.requests.length, seen);
    assert.equal((await api().request('GET', `/v1/call/${live}`)).body.analysis_status, 'pending', 'analysed once it ends');
    assert.equal((await api().request('GET', `/v1/call/${agentOnly}`)).body.analysis_status, null);
  });

  it('picks up, at start, ended calls left pending or held by an analyser that died, two at a time', async () => {
    const db = api().store.db;
    // Earlier tests' calls are settled; start from a clean slate of due calls.
    const leftovers = await new CallAnalysisRepository(db).listDue(new Date().toISOString(), 1000);
    assert.deepEqual(leftovers, []);
    const pending = [
      await callWithTurns(api(), spanishVersionId, CONVERSATION),
      await callWithTurns(api(), spanishVersionId, CONVERSATION),
      await callWithTurns(api(), spanishVersionId, CONVERSATION),
    ];
    const stale = await callWithTurns(api(), spanishVersionId, CONVERSATION);
    const heldElsewhere = await callWithTurns(api(), spanishVersionId, CONVERSATION);
    const live = await callWithTurns(api(), spanishVersionId, CONVERSATION, 'live');
    await db.updateTable('calls').set({ analysis_status: 'running', analysis_claimed_at: new Date(Date.now() - 20 * 60_000).toISOString() }).where('id', '=', stale).execute();
    await db.updateTable('calls').set({ analysis_status: 'running', analysis_claimed_at: new Date().toISOString() }).where('id', '=', heldElsewhere).execute();

    const seen = llmServer.requests.length;
    llmServer.script(() => ({ text: JSON.stringify(VALID), firstTokenDelayMs: 60 }));
    try {
      const { instance } = analyzer({ concurrency: 2 });
      assert.equal(await instance.resumePending(), 4);
      await instance.idle();
      const requests = requestsFor(seen);
      assert.equal(requests.length, 4);
      const overlap = Math.max(...requests.map((r) => requests.filter((o) => o.receivedAt <= r.receivedAt && (o.finishedAt ?? Infinity) > r.receivedAt).length));
      assert.equal(overlap, 2, 'two analyses at a time, never more');
    } finally {
      llmServer.script(() => ({ text: 'OK.' }));
    }
    for (const id of [...pending, stale]) assert.equal((await api().request('GET', `/v1/call/${id}`)).body.analysis_status, 'completed', id);
    assert.equal((await api().request('GET', `/v1/call/${heldElsewhere}`)).body.analysis_status, 'running', 'a live claim is left to its analyser');
    assert.equal((await api().request('GET', `/v1/call/${live}`)).body.analysis_status, 'pending', 'a live call waits for its end');
    await db.updateTable('calls').set({ analysis_status: 'failed' }).where('id', 'in', [heldElsewhere, live]).execute();
  });

  it('gives an analysis in flight back when stopped, so the next start does it', async () => {
    const callId = await callWithTurns(api(), spanishVersionId, CONVERSATION);
    const seen = llmServer.requests.length;
    llmServer.reply({ hang: 'after_headers' } satisfies MockReply);
    const { instance } = analyzer();
    instance.schedule(callId);
    const deadline = Date.now() + 5000;
    while (llmServer.requests.length === seen && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(llmServer.requests.length, seen + 1, 'the analysis reached the LLM');
    await instance.stop();
    assert.equal((await api().request('GET', `/v1/call/${callId}`)).body.analysis_status, 'pending');

    llmServer.reply({ text: JSON.stringify(VALID) });
    const next = analyzer().instance;
    assert.equal(await next.resumePending(), 1);
    await next.idle();
    assert.equal((await api().request('GET', `/v1/call/${callId}`)).body.analysis_status, 'completed');
  });
});
