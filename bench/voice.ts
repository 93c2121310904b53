import { SileroModel } from '../src/voice/vad/silero-model.ts';
import { createVadProvider } from '../src/voice/vad/index.ts';
import { buildSpeechFixture } from '../src/voice/vad/speech-fixture.ts';
import { measureAddedLatency, printAddedLatency } from './voice/added-latency.ts';
import { measureBargeIn, printBargeIn } from './voice/barge-in.ts';
import { printStep, printStepHeader, runStep, TARGET, type StepResult } from './voice/concurrency.ts';
import { runSipAgents } from './voice/sip-agents.ts';
import { loadLine } from './voice/stats.ts';

// `npm run bench:voice`: the voice agent's own cost, with zero-latency scripted providers so
// only Habla is measured. It prints figures; it never fails on them.
//  1. Added latency: BENCH_VOICE_TURNS caller turns through the real VoiceAgentApp on the agent
//     harness (real Silero VAD pool, FakeCallAudio ticking in real time like RtpSession): end
//     of speech → first agent audio handed to playout, beyond the endpointing silence.
//  2. Concurrency: K full agents in one process on one shared MediaClock (VAD pool batching
//     across calls, scripted STT/LLM, tone TTS, a dual-channel WAV recorder per call, caller
//     speech fed every tick) for BENCH_VOICE_SECONDS per step: tick lateness, CPU, VAD cost.
//     No SIP or RTP here: `npm run bench:sip` measures real media through `habla serve`.
// Knobs: BENCH_VOICE_TURNS (50), BENCH_VOICE_CALLS (comma list, 50,100,150,200),
// BENCH_VOICE_SECONDS (10). Every step runs (on a shared machine a lower step can miss while a
// higher one holds); the verdict is taken at the highest step that held.
//  3. Real media, the capacity verdict: BENCH_VOICE_SIP_RATES calls/s steps (5,7.5: 100 and 150
//     calls; empty = off) of SIPp callers streaming speech to `habla serve` in
//     HABLA_AGENT_MODE=agent (scripted STT/LLM, a zero-latency OpenAI-protocol TTS), each held
//     BENCH_VOICE_SIP_HOLD_S (20); RTP send jitter and loss from /metrics over
//     BENCH_VOICE_SIP_WINDOW_S (10), replies and voice-to-voice from the calls' latency rows.
//     Each step runs with media on worker threads (default) and on the main thread
//     (HABLA_MEDIA_WORKERS=0), side by side; BENCH_VOICE_SIP_MEDIA=workers runs only the first.
//     BENCH_PROFILE=<dir>: V8 CPU profiles of each Habla child (one file per thread).
//  4. Barge-in: BENCH_VOICE_BARGE_INS (5; 0 = off) calls one after another, each interrupted by
//     the SIPp callee ~500 ms into a long reply (test/helpers/barge-in.ts, as the e2e test): how
//     long after the callee's speech onset the agent's audio stopped, on the call's recording.

const TURNS = Number(process.env.BENCH_VOICE_TURNS ?? 50);
const CALLS = (process.env.BENCH_VOICE_CALLS ?? '50,100,150,200').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_VOICE_SECONDS ?? 10);
const SIP_RATES = (process.env.BENCH_VOICE_SIP_RATES ?? '5,7.5').split(',').filter(Boolean).map(Number);
const SIP_MEDIA = (process.env.BENCH_VOICE_SIP_MEDIA ?? 'workers,main').split(',');
const SIP_HOLD_S = Number(process.env.BENCH_VOICE_SIP_HOLD_S ?? 20);
const SIP_WINDOW_S = Number(process.env.BENCH_VOICE_SIP_WINDOW_S ?? 10);
const BARGE_INS = Number(process.env.BENCH_VOICE_BARGE_INS ?? 5);

async function addedLatency(): Promise<void> {
  console.log(`\n1. Added latency: ${TURNS} caller turns, scripted STT/LLM with no delay, instant tone TTS, real Silero VAD`);
  const utterance = await buildSpeechFixture({ utterances: ['Quería saber el horario.'], silencesMs: [0, 0] });
  const vads = await createVadProvider({ kind: 'silero' });
  if (vads.kind !== 'silero') throw new Error(`Silero VAD did not load: ${String(vads.fallbackReason)}`);
  try {
    printAddedLatency(await measureAddedLatency(vads, utterance, TURNS));
  } finally {
    await vads.close();
  }
}

async function concurrency(): Promise<void> {
  console.log(`\n2. Concurrency: K full-pipeline agents in one process, one shared 20 ms MediaClock`);
  console.log('   Tick lateness is the proxy for RTP send jitter: media via SIPp is NOT exercised here (bench:sip covers RTP).');
  // A conversation per call: the caller speaks, leaves room for the agent's short reply, speaks again.
  const conversation = await callerConversation();
  const model = await SileroModel.load({ threads: 1 });
  printStepHeader(SECONDS);
  // The bare timer on this machine, with no calls: the floor every step's lateness sits on.
  printStep({ ...(await runStep(model, conversation, 0, SECONDS)), held: true });
  const held: StepResult[] = [];
  try {
    for (const calls of CALLS) {
      const step = await runStep(model, conversation, calls, SECONDS);
      printStep(step);
      if (step.held) held.push(step);
    }
  } finally {
    await model.release();
  }
  const best = held.at(-1);
  const verdict = best && best.calls >= TARGET.calls ? 'PASS' : 'NOT MET';
  console.log(`   highest step that held (last-call tick lateness p99 < ${TARGET.lateP99Ms} ms): ${best ? `${best.calls} calls` : 'none'}`);
  console.log(`   target ≥ ${TARGET.calls} concurrent agents with p99 < ${TARGET.lateP99Ms} ms → ${verdict}`);
}

/** What every caller says, looped: a turn, room for the agent's short reply, another turn. */
async function callerConversation(): Promise<Int16Array> {
  return (await buildSpeechFixture({
    utterances: ['Buenos días, quería saber el horario.', 'Sí, el número es cuatro cinco seis.'],
    silencesMs: [300, 1800, 1800], noiseDbfs: -50,
  })).pcm;
}

async function realMedia(): Promise<void> {
  console.log(`\n3. Real media: SIPp callers speaking to \`habla serve\` (HABLA_AGENT_MODE=agent, scripted STT/LLM, zero-latency TTS server)`);
  const conversation = await callerConversation();
  const rows: string[] = [];
  let best = 0;
  for (const rate of SIP_RATES) {
    const cells: string[] = [];
    for (const mode of SIP_MEDIA) {
      const mediaWorkers = mode === 'main' ? 0 : undefined;
      console.log(`   ── ${rate} calls/s, media ${mode === 'main' ? 'on the main thread (HABLA_MEDIA_WORKERS=0)' : 'on worker threads (default)'}`);
      const result = await runSipAgents({ conversation, ratePerS: rate, holdS: SIP_HOLD_S, windowS: SIP_WINDOW_S, mediaWorkers });
      cells.push(`${mode}: ${result.calls} calls, p99 ${Number.isFinite(result.jitterP99Ms) ? `≤ ${result.jitterP99Ms} ms` : '>50 ms'}, habla ${result.hablaPct.toFixed(0)}% ${result.held ? 'held' : 'NOT held'}`);
      if (mode !== 'main' && result.held) best = Math.max(best, result.calls);
    }
    rows.push(`   ${String(rate).padStart(4)} calls/s │ ${cells.join(' │ ')}`);
  }
  console.log('\n   side by side:');
  for (const row of rows) console.log(row);
  const verdict = best >= TARGET.calls ? 'PASS' : 'NOT MET';
  console.log(`   full-pipeline agents on real media held with send jitter p99 < 5 ms (default media workers): ${best || 'none'}; target ≥ ${TARGET.calls} → ${verdict}`);
}

async function bargeIn(): Promise<void> {
  console.log(`\n4. Barge-in: ${BARGE_INS} calls through \`habla serve\`, the SIPp callee talks ~500 ms into a long reply`);
  printBargeIn(await measureBargeIn(BARGE_INS));
}

async function main(): Promise<void> {
  console.log(`Voice agent bench — Node ${process.version}, Silero v5 VAD pool, scripted zero-latency providers`);
  console.log(loadLine());
  if (TURNS > 0) await addedLatency();
  if (CALLS.length > 0 && CALLS[0] > 0) await concurrency();
  if (SIP_RATES.length > 0) await realMedia();
  if (BARGE_INS > 0) await bargeIn();
  console.log(`\n${loadLine()} (at the end)`);
}

await main();
