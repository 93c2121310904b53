/**
 * Shared setup of the agent-transfer end-to-end tests (test/e2e/agent-transfer-*.test.ts): a
 * real `habla serve` running the voice agent, a mock OpenAI server whose model answers a request
 * for a person with a hand-over line and a transfer_call tool call, the customer's audio (espeak-ng
 * µ-law for sipp to stream) and an agent with the transfer tool.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ANALYSIS_PROMPT_MARKER } from '../../src/analysis/prompt.ts';
import { encodeUlaw } from '../../src/telephony/codecs/g711.ts';
import { synthesizeEspeak } from '../../src/voice/tts/espeak.ts';
import type { MockOpenAiServer } from './mock-openai-server.ts';
import { startTelephonyServer, type HablaApi } from './telephony.ts';

export const UTTERANCE = 'Quiero hablar con una persona, por favor.';
export const HANDOVER = 'Le paso con un compañero.';
export const TARGET = '+34910000999';

/** The model: a summary for the post-call analysis; `afterTool` once it has a tool result; else hand over and transfer. */
export function scriptTransferLlm(llm: MockOpenAiServer, afterTool: string): void {
  llm.script((request) => {
    const messages: any[] = request.body?.messages ?? [];
    if (String(messages[0]?.content ?? '').startsWith(ANALYSIS_PROMPT_MARKER)) {
      return { text: JSON.stringify({ summary: 'Pidió hablar con una persona.', sentiment: 'neutral', success: true }) };
    }
    if (messages.at(-1)?.role === 'tool') return { text: afterTool };
    return { text: HANDOVER, toolCalls: [{ name: 'transferir', arguments: {} }] };
  });
}

/** Habla running the voice agent on `llm`; the scripted STT hears the request for a person. */
export function startTransferServer(llm: MockOpenAiServer, env: Record<string, string> = {}, options: Parameters<typeof startTelephonyServer>[1] = {}) {
  return startTelephonyServer({
    HABLA_AGENT_MODE: 'agent', HABLA_LLM_PROVIDER: 'openai', HABLA_LLM_BASE_URL: llm.baseUrl, HABLA_LLM_MODEL: 'mock',
    HABLA_STT_SCRIPT: JSON.stringify([UTTERANCE]), ...env,
  }, options);
}

export interface AudioClip {
  /** Where it starts in the file, ms. */
  atMs: number;
  pcm: Int16Array;
}

/**
 * The customer's side as a raw µ-law file: 2.5 s of silence (the greeting plays), the request,
 * then silence — with `extra` clips placed where the test wants them — `totalMs` long.
 */
export async function customerAudio(dir: string, name: string, extra: AudioClip[] = [], totalMs = 20_000): Promise<string> {
  const speech = await synthesizeEspeak(UTTERANCE, { voice: 'es' });
  const clips = [{ atMs: 2500, pcm: speech }, ...extra];
  const end = Math.max(totalMs, ...clips.map((c) => c.atMs + c.pcm.length / 8));
  const all = new Int16Array(Math.ceil(end * 8));
  for (const clip of clips) all.set(clip.pcm, clip.atMs * 8);
  return writeUlaw(dir, name, all);
}

export function writeUlaw(dir: string, name: string, pcm: Int16Array): string {
  const file = path.join(dir, `${name}.ulaw`);
  fs.writeFileSync(file, encodeUlaw(pcm));
  return file;
}

/** An agent with the transfer tool (cold transfer to TARGET), published. */
export async function createTransferAgent(api: HablaApi): Promise<string> {
  const voices = await api('GET', '/v1/voice/?limit=50&search=Spanish');
  const voice = voices.data.find((v: any) => v.provider_voice_id === 'es');
  const agent = await api('POST', '/v1/agent/', {
    name: 'Centralita', voice_id: voice.id, language: 'es', greeting: 'Hola, le llamamos de la tienda.',
    prompt: 'Eres la centralita de la tienda.', time_before_start: 0, max_reminder_count: 0,
    call_tools: [{ type: 'transfer_call', name: 'transferir', description: 'si pide una persona', target_number: TARGET, transfer_type: 'transfer' }],
  });
  const versions = await api('GET', `/v1/agent/${agent.agent_id}/version`);
  const launched = versions.data.find((v: any) => !v.is_draft);
  await api('PATCH', `/v1/agent/${agent.agent_id}/published_version`, { version_id: launched.version_id });
  return agent.agent_id;
}

/** The call statuses a transfer test waits for. */
export const ENDED = ['completed', 'failed', 'transferred', 'no_answer'];

/** 10 ms RMS envelope of samples[from, to) at 8 kHz. */
function envelope(samples: Int16Array, from = 0, to = samples.length): Float64Array {
  const frames = Math.max(0, Math.floor((Math.min(to, samples.length) - from) / 80));
  const out = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let i = from + f * 80; i < from + (f + 1) * 80; i++) sum += samples[i] * samples[i];
    out[f] = Math.sqrt(sum / 80);
  }
  return out;
}

function pearson(a: Float64Array, b: Float64Array, offset: number): number {
  let sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  const n = a.length;
  for (let i = 0; i < n; i++) {
    const x = a[i], y = b[offset + i];
    sa += x; sb += y; saa += x * x; sbb += y * y; sab += x * y;
  }
  const den = Math.sqrt((n * saa - sa * sa) * (n * sbb - sb * sb));
  return den === 0 ? 0 : (n * sab - sa * sb) / den;
}

/**
 * Where `reference` (8 kHz PCM) sounds in `channel`, searching starts from `fromMs` to `toMs`:
 * the start whose 10 ms loudness envelope matches best (Pearson correlation, 1 = same shape).
 * Envelopes, not samples: the audio went through G.711 and jitter buffers, and only its shape
 * must survive to show it is the same speech.
 */
export function findClip(channel: Int16Array, reference: Int16Array, fromMs = 0, toMs = channel.length / 8): { atMs: number; correlation: number } {
  const ref = envelope(reference);
  const env = envelope(channel);
  let best = { atMs: -1, correlation: -1 };
  const last = Math.min(env.length - ref.length, Math.floor(toMs / 10));
  for (let offset = Math.max(0, Math.floor(fromMs / 10)); offset <= last; offset++) {
    const correlation = pearson(ref, env, offset);
    if (correlation > best.correlation) best = { atMs: offset * 10, correlation };
  }
  return best;
}
