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

export interface FramesFound {
  /** Of the reference's audible 20 ms frames, how many appear sample for sample in the channel. */
  found: number;
  audible: number;
  /** Where the first and last found frame sit in the channel (ms), to show how the audio was spread. */
  firstAtMs: number;
  lastAtMs: number;
}

/**
 * Which 20 ms frames of `reference` (8 kHz PCM as a peer sent it, frame-aligned from its first
 * sample) reached `channel` unchanged, in order. A relay through G.711 is lossless frame by
 * frame, so unlike an envelope match this does not depend on the frames arriving evenly: on a
 * loaded machine a bridge may play a frame a tick late and put silence before it, which
 * stretches the speech's shape but loses nothing. Silent frames are skipped (they all look alike).
 */
export function framesFound(channel: Int16Array, reference: Int16Array, fromMs = 0): FramesFound {
  const FRAME = 160;
  const frames: Int16Array[] = [];
  for (let at = 0; at + FRAME <= reference.length; at += FRAME) {
    const frame = reference.subarray(at, at + FRAME);
    if (frame.some((s) => Math.abs(s) > 300)) frames.push(frame);
  }
  const result: FramesFound = { found: 0, audible: frames.length, firstAtMs: -1, lastAtMs: -1 };
  let at = Math.floor(fromMs * 8);
  for (const frame of frames) {
    const hit = indexOfFrame(channel, frame, at);
    if (hit < 0) continue; // lost: the next frame is searched from the same place
    result.found += 1;
    if (result.firstAtMs < 0) result.firstAtMs = hit / 8;
    result.lastAtMs = hit / 8;
    at = hit + FRAME;
  }
  return result;
}

function indexOfFrame(channel: Int16Array, frame: Int16Array, from: number): number {
  outer: for (let i = from; i + frame.length <= channel.length; i++) {
    for (let j = 0; j < frame.length; j++) if (channel[i + j] !== frame[j]) continue outer;
    return i;
  }
  return -1;
}
