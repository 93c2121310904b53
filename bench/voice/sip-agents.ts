import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiClient, createPublishedAgent, importNumber } from '../../test/helpers/telephony.ts';
import { encodeUlaw } from '../../src/telephony/codecs/g711.ts';
import { machineCpuMs, mediaWindow, processCpuMs, scrapeMedia } from '../sip/figures.ts';
import { startBenchServer } from '../sip/habla-server.ts';
import { startLoad } from '../sip/sipp-load.ts';
import { startMockOpenAiSpeech } from '../../test/helpers/mock-openai-speech.ts';
import { fmt, summary } from './stats.ts';

// Part 3: real media. A `habla serve` child in HABLA_AGENT_MODE=agent with the scripted STT and
// LLM and, for speech, a zero-latency local server speaking OpenAI's speech protocol (a 600 ms
// tone per sentence, so the figures are Habla's and not a TTS engine's), and SIPp callers
// streaming a looped espeak conversation as PCMU: every call runs the full agent (Silero VAD,
// turns, replies streamed from the TTS and played as RTP, dual-channel recording). Send jitter
// and loss come from Habla's /metrics over a window once concurrency is steady; replies and
// voice-to-voice from the calls' own latency rows. Each media mode gets its own Habla.

const NUMBER = '+34910000001';
const RTP_PORTS = { min: 30000, max: 39999 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface SipAgentsOptions {
  conversation: Int16Array;
  /** HABLA_MEDIA_WORKERS for this Habla; undefined: its default. */
  mediaWorkers?: number;
  ratePerS: number;
  holdS: number;
  windowS: number;
}

export interface SipAgentsResult {
  calls: number;
  jitterP99Ms: number;
  held: boolean;
  hablaPct: number;
}

export async function runSipAgents(opts: SipAgentsOptions): Promise<SipAgentsResult> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'habla-bench-voice-sip-'));
  const tts = await startMockOpenAiSpeech();
  tts.script(() => ({ durationMs: 600, chunkBytes: 9600, chunkDelayMs: 0 }));
  const habla = await startBenchServer({
    rtpPortMin: RTP_PORTS.min, rtpPortMax: RTP_PORTS.max, profileDir: process.env.BENCH_PROFILE,
    env: {
      HABLA_AGENT_MODE: 'agent', HABLA_TTS_OPENAI_BASE_URL: tts.baseUrl, HABLA_TTS_OPENAI_RESPONSE_FORMAT: 'pcm',
      ...(opts.mediaWorkers === undefined ? {} : { HABLA_MEDIA_WORKERS: String(opts.mediaWorkers) }),
    },
  });
  try {
    const api = apiClient(habla);
    const { agentId } = await createPublishedAgent(api, { voice: { provider: 'openai', providerVoiceId: 'alloy' } });
    await importNumber(api, { number: NUMBER, inboundAgentId: agentId });
    const ulaw = path.join(workDir, 'caller.ulaw');
    fs.writeFileSync(ulaw, encodeUlaw(opts.conversation));
    const expected = Math.round(opts.ratePerS * opts.holdS);
    const load = await startLoad({
      sipTarget: `127.0.0.1:${habla.sipPort}`, number: NUMBER, media: 'stream', ulaw, workDir: path.join(workDir, 'sipp'),
      ratePerS: opts.ratePerS, calls: Math.ceil(opts.ratePerS * (opts.holdS + opts.windowS + 3)), maxConcurrent: expected * 2 + 10,
      holdMs: opts.holdS * 1000, timeoutS: opts.holdS * 3 + opts.windowS + 60,
    });
    await sleep((opts.holdS + 2) * 1000);
    const first = await scrapeMedia(habla.url);
    const cpu0 = { habla: processCpuMs(habla.child.pid!), sipp: processCpuMs(load.pid), machine: machineCpuMs() };
    await sleep(opts.windowS * 1000);
    const last = await scrapeMedia(habla.url);
    const cpu1 = { habla: processCpuMs(habla.child.pid!), sipp: processCpuMs(load.pid), machine: machineCpuMs() };
    const media = mediaWindow(first, last);
    const sipp = await load.exited;
    const wall = media.seconds * 1000;
    const hablaPct = (100 * (cpu1.habla - cpu0.habla)) / wall;
    const sippPct = (100 * (cpu1.sipp - cpu0.sipp)) / wall;
    const othersPct = Math.max(0, (100 * (cpu1.machine.busy - cpu0.machine.busy)) / wall - hablaPct - sippPct);
    await sleep(2000); // the last calls' rows are written after their BYE
    const calls = (await api('GET', '/v1/call/?limit=1000')).data as Array<{ latency: { turns: Array<{ voice_to_voice_ms: number }> } | null }>;
    const v2v = calls.flatMap((c) => c.latency?.turns.map((t) => t.voice_to_voice_ms) ?? []).filter((v) => Number.isFinite(v));
    const s = summary(v2v);
    const ms = (v: number) => (Number.isFinite(v) ? `${fmt(v)} ms` : v === Infinity ? '>50 ms' : 'n/a');
    console.log(`   ${opts.ratePerS} calls/s × ${opts.holdS} s hold → ${sessionsLine(first.sessionsActive, last.sessionsActive)} calls with media (expect ${expected}); window ${fmt(media.seconds)} s`);
    const edge = (v: number) => (Number.isFinite(v) ? `≤ ${fmt(v)} ms` : ms(v)); // histogram bucket upper edges
    console.log(`   RTP send jitter p50 ${edge(media.jitterP50Ms)}, p99 ${edge(media.jitterP99Ms)} (${fmt(100 * media.withinMs(5), 2)}% ≤ 5 ms); lost ${media.lost} of ${media.received + media.lost}`);
    console.log(`   CPU: habla ${fmt(hablaPct, 0)}%, sipp ${fmt(sippPct, 0)}%, others ${fmt(othersPct, 0)}% of one core`);
    console.log(`   sipp: ${sipp.stats.successful}/${sipp.stats.created} ok, ${sipp.stats.failed} failed, ${sipp.timeouts} timeouts`);
    console.log(`   agent replies over all calls: ${v2v.length}; voice-to-voice p50 ${ms(s.p50)}, p95 ${ms(s.p95)}`);
    const held = media.withinMs(5) >= 0.99 && media.lost === 0 && v2v.length > 0 && sipp.stats.failed === 0;
    console.log(`   ${last.sessionsActive} agents on real media, send jitter p99 < 5 ms, no loss, agents answered → ${held ? 'held' : 'NOT held'}`);
    return { calls: Math.min(first.sessionsActive, last.sessionsActive), jitterP99Ms: media.jitterP99Ms, held, hablaPct };
  } finally {
    await habla.stop();
    await tts.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function sessionsLine(a: number, b: number): string {
  return a === b ? String(a) : `${a}–${b}`;
}
