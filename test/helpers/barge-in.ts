// Barge-in on a real call, as the e2e test and `npm run bench:voice` (part 4) both run it: a
// SIPp callee answers an outbound call, says a first utterance that makes the agent start a long
// reply, then talks again ~500 ms into that reply. What happened is read off the call's
// recording (callee left, agent right) and its messages.
import fs from 'node:fs';
import path from 'node:path';
import { activeSegments, type Segment as ActiveSegment } from '../../src/engine/recording/audio-analysis.ts';
import { readWav } from '../../src/engine/recording/wav.ts';
import { encodeUlaw } from '../../src/telephony/codecs/g711.ts';
import { synthesizeEspeak } from '../../src/voice/tts/espeak.ts';
import type { MockOpenAiServer } from './mock-openai-server.ts';
import { assertSippPassed, startSipp } from './sipp.ts';
import { downloadRecording, importNumber, waitForCall, type HablaApi } from './telephony.ts';

export const BARGE_IN_UTTERANCES = ['Quiero saber las tarifas.', 'Espere, una pregunta.'];
export const BARGE_IN_LONG_REPLY = 'Le explico las tarifas con detalle. La tarifa básica cuesta diez euros al mes e incluye cien minutos de llamadas. ' +
  'La tarifa avanzada cuesta veinte euros al mes e incluye llamadas ilimitadas y datos.';
export const BARGE_IN_ANSWER = 'Sí, dígame.';

/** The LLM answers the first utterance with the long reply and the interruption with a short answer. */
export function scriptBargeInLlm(llm: MockOpenAiServer): void {
  llm.script((request) => {
    const last = (request.body?.messages ?? []).at(-1);
    const content = last?.content ?? '';
    return { text: /tarifas/.test(content) ? BARGE_IN_LONG_REPLY : /pregunta/.test(content) ? BARGE_IN_ANSWER : '{}' };
  });
}

/** `habla serve` settings for the scenario: agent mode, the mock LLM, the scripted STT. */
export function bargeInServerEnv(llm: MockOpenAiServer): Record<string, string> {
  return {
    HABLA_AGENT_MODE: 'agent', HABLA_LLM_PROVIDER: 'openai', HABLA_LLM_BASE_URL: llm.baseUrl, HABLA_LLM_MODEL: 'mock',
    HABLA_STT_SCRIPT: JSON.stringify(BARGE_IN_UTTERANCES),
  };
}

export interface BargeInCall {
  call: any;
  messages: any[];
  /** Sound on the callee's channel (two utterances expected) and any sound on the agent's. */
  heard: ActiveSegment[];
  spoken: ActiveSegment[];
  /** The agent segment the callee's second utterance cut, if any. */
  cut?: ActiveSegment;
  /** How far into the reply the callee started, and how long after that the agent's audio stopped. */
  intoReplyMs?: number;
  stopLagMs?: number;
}

/**
 * Places one barge-in call from `number` (a fresh number per call; the agent is created here)
 * and waits for it to complete. `work` is a scratch directory for the callee's audio.
 */
export async function runBargeInCall(api: HablaApi, work: string, number: string): Promise<BargeInCall> {
  // The reply starts ~650 ms after the first utterance's sound ends (500 ms endpointing,
  // synthesis, jitter buffer), ~350 ms after its clip ends (espeak pads ~300 ms of silence):
  // the second clip starts 850 ms after the first, its sound ~500 ms into the reply.
  const file = await calleeAudio(work, [1000, BARGE_IN_UTTERANCES[0], 850, BARGE_IN_UTTERANCES[1], 4000]);
  const callee = await startSipp({ scenario: 'uas-answer-play-hangup', keys: { play: `${file},1,0` }, vars: { hangup_after_ms: 11_000 } });
  try {
    const voices = await api('GET', '/v1/voice/?limit=50&search=Spanish');
    const voice = voices.data.find((v: any) => v.provider_voice_id === 'es');
    const agent = await api('POST', '/v1/agent/', { name: 'Tarifas', voice_id: voice.id, language: 'es', max_reminder_count: 0 });
    await importNumber(api, { number, terminationUri: `127.0.0.1:${callee.sipPort}`, outboundAgentId: agent.agent_id });
    const placed = await api('POST', '/v1/call/', { from_number: number, to_number: '+34600123457' });
    const call = await waitForCall(api, placed.id, (c) => c.status === 'completed' && c.recording_url, 30_000);
    await assertSippPassed(callee, 'callee');
    const messages = (await api('GET', `/v1/call/${placed.id}/message?order=asc&limit=50`)).data;
    return { call, messages, ...measureStop(readWav(await downloadRecording(call)).channels) };
  } finally {
    await callee.cleanup();
  }
}

function measureStop([callerChannel, agentChannel]: Int16Array[]): Omit<BargeInCall, 'call' | 'messages'> {
  const heard = activeSegments(callerChannel, { sampleRate: 8000, thresholdDb: -50, minSilenceMs: 600 });
  // Any sound at all on the agent channel (after a clear it is digital silence): the quiet
  // ends of words must not pass for the agent having stopped.
  const spoken = activeSegments(agentChannel, { sampleRate: 8000, thresholdDb: -70, minSilenceMs: 600 });
  if (heard.length !== 2) return { heard, spoken };
  const onset = heard[1].startMs;
  const cut = spoken.find((s) => s.startMs < onset && s.endMs > onset - 100);
  if (!cut) return { heard, spoken };
  return { heard, spoken, cut, intoReplyMs: onset - cut.startMs, stopLagMs: cut.endMs - onset };
}

async function calleeAudio(work: string, parts: Array<string | number>): Promise<string> {
  const chunks: Int16Array[] = [];
  for (const part of parts) chunks.push(typeof part === 'number' ? new Int16Array(part * 8) : await synthesizeEspeak(part, { voice: 'es' }));
  const all = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((at, c) => (all.set(c, at), at + c.length), 0);
  const file = path.join(work, `callee-${process.pid}-${Date.now()}.ulaw`);
  fs.writeFileSync(file, encodeUlaw(all));
  return file;
}
