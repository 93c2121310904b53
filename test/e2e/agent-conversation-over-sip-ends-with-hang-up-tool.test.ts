// The voice agent on a real outbound call (HABLA_AGENT_MODE=agent): sipp answers and plays two
// Spanish caller utterances (espeak-ng, raw µ-law) with pauses; the scripted STT hears each as
// its line; a local server speaking the OpenAI streaming protocol writes the replies and, at
// the goodbye, calls the hang_up tool. The recording's agent channel holds the greeting and
// each reply after the caller's words, the messages endpoint returns every turn in order with
// offsets, the call ends completed/agent_hangup, and the analysis (same mock LLM) is stored.
// The call's trace holds the agent's turn.user / turn.agent / llm / tts / tool spans within the
// call, and /metrics counts both replies in the turn-latency histogram.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { ANALYSIS_PROMPT_MARKER } from '../../src/analysis/prompt.ts';
import { activeSegments } from '../../src/engine/recording/audio-analysis.ts';
import { readWav } from '../../src/engine/recording/wav.ts';
import { encodeUlaw } from '../../src/telephony/codecs/g711.ts';
import { synthesizeEspeak } from '../../src/voice/tts/espeak.ts';
import { startMockOpenAi } from '../helpers/mock-openai-server.ts';
import type { HablaProcess } from '../helpers/server-process.ts';
import { assertSippPassed, startSipp } from '../helpers/sipp.ts';
import { downloadRecording, importNumber, startTelephonyServer, waitForCall, type HablaApi } from '../helpers/telephony.ts';

const UTTERANCES = ['Hola, quería preguntar por mi pedido.', 'Nada más, gracias. Adiós.'];
const GREETING = 'Hola Ana, le llamamos de la tienda.';
const REPLY = 'Su pedido salió ayer y llegará mañana.';
const GOODBYE = 'Gracias a usted. Hasta luego.';
const ANALYSIS = { summary: 'La clienta preguntó por su pedido.', sentiment: 'positive', success: true };
const STAGES = ['endpointing', 'stt', 'llm_first_token', 'llm_first_sentence', 'tts_first_byte', 'voice_to_voice', 'overhead'];

let habla: HablaProcess;
let api: HablaApi;
const llm = await startMockOpenAi();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-agent-e2e-'));
llm.script((request) => {
  const messages: any[] = request.body?.messages ?? [];
  if (String(messages[0]?.content ?? '').startsWith(ANALYSIS_PROMPT_MARKER)) return { text: JSON.stringify(ANALYSIS) };
  const last = messages.at(-1);
  if (last?.role === 'tool') return { text: '' };
  if (/adiós/i.test(last?.content ?? '')) return { text: GOODBYE, toolCalls: [{ name: 'colgar', arguments: {} }] };
  return { text: REPLY };
});

before(async () => {
  ({ habla, api } = await startTelephonyServer({
    HABLA_AGENT_MODE: 'agent', HABLA_LLM_PROVIDER: 'openai', HABLA_LLM_BASE_URL: llm.baseUrl, HABLA_LLM_MODEL: 'mock',
    HABLA_STT_SCRIPT: JSON.stringify(UTTERANCES),
  }));
});
after(async () => {
  await habla?.stop();
  await llm.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/** The callee's side: pauses and utterances, as one raw µ-law file sipp streams from the answer. */
async function calleeAudio(parts: Array<string | number>): Promise<{ file: string; speech: Array<{ startMs: number; endMs: number }> }> {
  const chunks: Int16Array[] = [];
  const speech: Array<{ startMs: number; endMs: number }> = [];
  let ms = 0;
  for (const part of parts) {
    const pcm = typeof part === 'number' ? new Int16Array(part * 8) : await synthesizeEspeak(part, { voice: 'es' });
    if (typeof part === 'string') speech.push({ startMs: ms, endMs: ms + pcm.length / 8 });
    chunks.push(pcm);
    ms += pcm.length / 8;
  }
  const all = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((at, c) => (all.set(c, at), at + c.length), 0);
  const file = path.join(work, 'callee.ulaw');
  fs.writeFileSync(file, encodeUlaw(all));
  return { file, speech };
}

async function createAgent(): Promise<string> {
  const voices = await api('GET', '/v1/voice/?limit=50&search=Spanish');
  const voice = voices.data.find((v: any) => v.provider_voice_id === 'es');
  const agent = await api('POST', '/v1/agent/', {
    name: 'Tienda', voice_id: voice.id, language: 'es', greeting: 'Hola {{nombre}}, le llamamos de la tienda.',
    prompt: 'Eres el asistente de la tienda. Llamas a {{nombre}}.', time_before_start: 0,
    call_tools: [{ type: 'hang_up', name: 'colgar', description: 'cuando el cliente se despida' }],
    max_reminder_count: 0,
  });
  return agent.agent_id;
}

interface Span {
  id: string;
  parent_span_id: string | null;
  operation_name: string;
  start_time: string;
  duration_ms: number;
  status: string | null;
  tags: Record<string, unknown>;
  children: Span[];
}

const startOf = (s: Span) => Date.parse(s.start_time);
const endOf = (s: Span) => Date.parse(s.start_time) + s.duration_ms;
const flatten = (spans: Span[]): Span[] => spans.flatMap((s) => [s, ...flatten(s.children ?? [])]);

/** The trace once its root `call` span is stored (it ends last, after the recording). */
async function completeTrace(callId: string, timeoutMs = 10_000): Promise<{ spans: Span[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await api.raw('GET', `/v1/trace/call/${callId}`);
    const body = response.status === 200 ? await response.json() : undefined;
    if (body?.spans.some((s: Span) => s.operation_name === 'call')) return body;
    if (Date.now() > deadline) throw new Error(`no complete trace for ${callId}: ${response.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One sample of /metrics by name and labels (the text parser merges the series of a labelled histogram, so the line is read). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return 0;
}

async function scrapeMetrics(): Promise<string> {
  const response = await fetch(`${habla.url}/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  const family = parsePrometheusTextFormat(text).find((f) => f.name === 'habla_turn_latency_seconds');
  assert.equal(family?.type, 'HISTOGRAM', 'the exposition parses, with the turn-latency histogram in it');
  return text;
}

test('a conversation over SIP: greeting, two replies in order, the hang_up tool ends it; transcript, analysis and latency stored', async () => {
  const before = await scrapeMetrics();
  const audio = await calleeAudio([3500, UTTERANCES[0], 6000, UTTERANCES[1], 10_000]);
  const callee = await startSipp({ scenario: 'uas-answer-play-wait-bye', keys: { play: `${audio.file},1,0` }, timeoutMs: 40_000 });
  try {
    const agentId = await createAgent();
    await importNumber(api, { number: '+34910000001', terminationUri: `127.0.0.1:${callee.sipPort}`, outboundAgentId: agentId });
    const placed = await api('POST', '/v1/call/', { from_number: '+34910000001', to_number: '+34600123456', dynamic_variables: { nombre: 'Ana' } });
    const call = await waitForCall(api, placed.id, (c) => c.status === 'completed' && c.recording_url && c.analysis_status === 'completed', 40_000);
    await assertSippPassed(callee, 'callee (hung up on by the agent)');
    assert.equal(call.end_reason, 'agent_hangup');
    assert.equal(call.summary, ANALYSIS.summary);
    assert.equal(call.sentiment, 'positive');

    const messages = (await api('GET', `/v1/call/${placed.id}/message?order=asc&limit=50`)).data;
    assert.deepEqual(messages.map((m: any) => [m.role, m.content]), [
      ['assistant', GREETING], ['user', UTTERANCES[0]], ['assistant', REPLY], ['user', UTTERANCES[1]], ['assistant', GOODBYE], ['tool', null],
    ]);
    assert.equal(messages[5].tool_call.tool_name, 'hangup');
    // Offsets on the call's time line match where the callee's words are in its audio (±300 ms).
    audio.speech.forEach((truth, i) => {
      const turn = messages[1 + 2 * i];
      assert.ok(Math.abs(turn.start_ms - truth.startMs) < 300 && Math.abs(turn.end_ms - truth.endMs) < 300, `caller turn ${i}: ${turn.start_ms}–${turn.end_ms} vs ${truth.startMs}–${truth.endMs}`);
      assert.ok(messages[2 + 2 * i].start_ms > turn.end_ms, 'the agent answered after the caller stopped');
    });

    // The recording: agent audio at the start (greeting), then one reply after each utterance.
    const [callerChannel, agentChannel] = readWav(await downloadRecording(call)).channels;
    const spoken = activeSegments(agentChannel, { sampleRate: 8000, minSilenceMs: 600 });
    const heard = activeSegments(callerChannel, { sampleRate: 8000, minSilenceMs: 600 });
    assert.equal(spoken.length, 3, `greeting + two replies: ${JSON.stringify(spoken)}`);
    assert.equal(heard.length, 2, `two caller utterances: ${JSON.stringify(heard)}`);
    assert.ok(spoken[0].startMs < 1000, 'the greeting starts at the answer');
    for (const i of [0, 1]) {
      const gap = spoken[i + 1].startMs - heard[i].endMs;
      assert.ok(gap > 400 && gap < 1500, `reply ${i} starts ${gap} ms after the caller stopped`);
    }
    assert.ok(call.latency?.turns?.length === 2, `latency per reply: ${JSON.stringify(call.latency)}`);
    console.log('voice-to-voice per reply (ms):', call.latency.turns.map((t: any) => t.voice_to_voice_ms).join(', '));

    // /metrics: each stage of both replies observed once (seconds); the sums are the stored figures.
    const metrics = await scrapeMetrics();
    for (const stage of STAGES) {
      const count = sample(metrics, 'habla_turn_latency_seconds_count', { stage }) - sample(before, 'habla_turn_latency_seconds_count', { stage });
      assert.equal(count, 2, `${stage}: one observation per reply`);
    }
    const voiceToVoiceS = call.latency.turns.reduce((sum: number, t: any) => sum + t.voice_to_voice_ms, 0) / 1000;
    const observedS = sample(metrics, 'habla_turn_latency_seconds_sum', { stage: 'voice_to_voice' }) - sample(before, 'habla_turn_latency_seconds_sum', { stage: 'voice_to_voice' });
    assert.ok(Math.abs(observedS - voiceToVoiceS) < 0.002, `voice_to_voice sum ${observedS} s vs stored ${voiceToVoiceS} s`);
    assert.equal(sample(metrics, 'habla_turn_latency_seconds_bucket', { stage: 'voice_to_voice', le: '10' }), 2);

    await assertAgentSpans(placed.id, call, messages);
  } finally {
    await callee.cleanup();
  }
});

/** The call's trace: the agent's turns, each reply's LLM request and sentences, the hang_up tool, inside the call. */
async function assertAgentSpans(callId: string, call: any, messages: any[]): Promise<void> {
  const trace = await completeTrace(callId);
  const [root] = trace.spans;
  assert.equal(root.operation_name, 'call');
  const all = flatten(trace.spans);
  const named = (name: string) => all.filter((s) => s.operation_name === name).sort((a, b) => startOf(a) - startOf(b));
  const media = named('media')[0]!;
  const turns = root.children.filter((s) => s.operation_name.startsWith('turn.'));
  assert.deepEqual(turns.map((s) => [s.operation_name, s.tags['turn.kind'] ?? null]), [
    ['turn.agent', 'greeting'], ['turn.user', null], ['turn.agent', 'reply'], ['turn.user', null], ['turn.agent', 'reply'],
  ]);
  const [greeting, firstCaller, reply, secondCaller, goodbye] = turns;
  // Within the call's media (the agent runs from the answer; ±2 ms between the agent's and the trace's clocks, 1 ms of ISO rounding).
  for (const span of all.filter((s) => ['turn.user', 'turn.agent', 'llm', 'tts', 'tool'].includes(s.operation_name))) {
    assert.ok(startOf(span) >= startOf(media) - 3 && endOf(span) <= endOf(media) + 3, `${span.operation_name} lies within the call's media`);
    assert.equal(span.status, 'OK', `${span.operation_name}: ${span.status}`);
    for (const child of span.children) {
      assert.ok(startOf(child) >= startOf(span) - 1 && endOf(child) <= endOf(span) + 1, `${child.operation_name} lies within ${span.operation_name}`);
    }
  }
  // The caller's turns: speech onset → final transcript, the stored offsets of those turns.
  const answeredAt = Date.parse(call.start_time);
  for (const [i, turn] of [firstCaller, secondCaller].entries()) {
    assert.equal(turn.tags['turn.index'], i);
    assert.equal(turn.tags['transcript.chars'], UTTERANCES[i].length);
    assert.equal(typeof turn.tags['stt.ms'], 'number');
    assert.ok(endOf(turn) < startOf(turns[2 + 2 * i]) + 1, 'the reply starts once the caller’s turn has ended');
    const stored = messages[1 + 2 * i];
    assert.ok(Math.abs(startOf(turn) - answeredAt - stored.start_ms) < 25, `caller turn ${i} starts at its transcript offset (${startOf(turn) - answeredAt} vs ${stored.start_ms} ms)`);
  }
  assert.deepEqual(greeting.children.map((s) => s.operation_name), ['tts']);
  assert.deepEqual(reply.children.map((s) => s.operation_name), ['llm', 'tts']);
  assert.deepEqual(goodbye.children.map((s) => s.operation_name), ['llm', 'tts', 'tts', 'tool']);
  const tool = goodbye.children[3];
  assert.deepEqual([tool.tags['tool.name'], tool.tags['tool.kind'], tool.tags['tool.status']], ['colgar', 'hang_up', 'success']);
  assert.equal(goodbye.tags['turn.ends'], 'hang_up');
  assert.equal(reply.children[0].tags['llm.outcome'], 'completed');
  assert.ok(Math.abs(Number(reply.tags['turn.voice_to_voice_ms']) - call.latency.turns[0].voice_to_voice_ms) <= 0.5, 'the trace and the stored latency agree');
  for (const turn of [greeting, reply, goodbye]) {
    assert.equal(turn.tags['turn.interrupted'], false);
    assert.ok(Number(turn.tags['speech.played_ms']) > 500 && turn.tags['speech.played_ms'] === turn.tags['speech.audio_ms'], 'all of it played');
  }
  const json = JSON.stringify(trace);
  for (const text of [...UTTERANCES, GREETING, REPLY, GOODBYE]) assert.ok(!json.includes(text.split(' ').slice(0, 3).join(' ')), `no words of "${text}" in the trace`);
  for (const number of ['+34910000001', '+34600123456', '600123456']) assert.ok(!json.includes(number), 'no phone number in the trace');
  console.log('agent spans (ms):', turns.map((s) => `${s.operation_name} ${s.duration_ms.toFixed(1)}`).join(', '));
}
