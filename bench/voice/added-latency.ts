import { AgentHarness } from '../../src/voice/agent/agent-harness.ts';
import { ToneTts } from '../../src/voice/agent/test-support.ts';
import { ScriptedLlm } from '../../src/voice/providers/scripted/llm.ts';
import { ScriptedStt } from '../../src/voice/providers/scripted/stt.ts';
import type { VadProvider } from '../../src/voice/vad/index.ts';
import type { SpeechFixture } from '../../src/voice/vad/speech-fixture.ts';
import { fmt, summary } from './stats.ts';

// Part 1: what Habla itself adds between the end of the caller's speech and the first agent
// audio handed to playout, beyond the configured endpointing silence. Providers answer at
// once (scripted STT and LLM without delays, an instant tone TTS), so everything measured is
// the real VoiceAgentApp on the real Silero VAD pool, fed in real time by FakeCallAudio.

export const MIN_SILENCE_MS = 500;
const TARGET_P95_MS = 30;

export interface AddedLatencyResult {
  turns: number;
  /** Agent's own figure: voiceToVoiceMs − configured minSilenceMs (VAD end back-dating included). */
  beyondSilence: number[];
  /** Agent's own figure: voiceToVoiceMs − endpointingMs (the VAD's measured decision delay). */
  afterVad: number[];
  /** Agent's own figure: overheadMs (voice-to-voice minus endpointing, STT, LLM, TTS first byte). */
  overhead: number[];
  /** Cross-check: performance.now() at the first play() minus the wall time the fed speech ended, minus minSilenceMs. */
  measured: number[];
  pass: boolean;
}

/** Runs `turns` caller turns, each the fixture's utterance, and waits for each reply to play out. */
export async function measureAddedLatency(vads: VadProvider, utterance: SpeechFixture, turns: number): Promise<AddedLatencyResult> {
  const agent = new AgentHarness({
    vads,
    tts: new ToneTts({ msPerChar: 10, chunkMs: 100 }),
    stt: new ScriptedStt([], { otherwise: 'Vale.' }),
    llm: new ScriptedLlm([], { otherwise: { text: 'De acuerdo. Lo miro ahora.' } }),
    options: { vad: { minSilenceMs: MIN_SILENCE_MS } },
  });
  // Wall time at which each caller frame was delivered (index = frame number).
  const frameAt: number[] = [];
  agent.audio.onAudio(() => frameAt.push(performance.now()));
  const speechEndMs = utterance.speech[0].endMs;
  const measured: number[] = [];
  try {
    for (let i = 0; i < turns; i++) {
      const startCallerMs = agent.audio.callerMs + agent.audio.callerPendingMs;
      const playsBefore = agent.audio.plays.length;
      agent.audio.say(utterance.pcm);
      await agent.untilTurns(2 * (i + 1), 20_000);
      const firstPlay = agent.audio.plays[playsBefore];
      const endCallerMs = startCallerMs + speechEndMs;
      // The frame that carried the last of the speech was delivered at the end of its 20 ms.
      const frame = Math.floor(endCallerMs / 20);
      const endWall = frameAt[frame] - ((frame + 1) * 20 - endCallerMs);
      if (firstPlay) measured.push(firstPlay.at - endWall - MIN_SILENCE_MS);
    }
  } finally {
    await agent.hangUp();
  }
  const beyondSilence = agent.latency.map((l) => l.voiceToVoiceMs! - MIN_SILENCE_MS);
  const afterVad = agent.latency.map((l) => l.voiceToVoiceMs! - l.endpointingMs!);
  const overhead = agent.latency.map((l) => l.overheadMs!);
  const pass = beyondSilence.length === turns && summary(beyondSilence).p95 < TARGET_P95_MS && summary(measured).p95 < TARGET_P95_MS;
  return { turns: agent.latency.length, beyondSilence, afterVad, overhead, measured, pass };
}

export function printAddedLatency(r: AddedLatencyResult): void {
  const line = (name: string, values: number[]) => {
    const s = summary(values);
    console.log(`   ${name.padEnd(58)} ${fmt(s.p50).padStart(6)} ${fmt(s.p95).padStart(6)} ${fmt(s.max).padStart(6)}   (min ${fmt(s.min)})`);
  };
  console.log(`   ${r.turns} replies measured; endpointing silence minSilenceMs ${MIN_SILENCE_MS}`);
  console.log(`   ${'ms'.padEnd(58)} ${'p50'.padStart(6)} ${'p95'.padStart(6)} ${'max'.padStart(6)}`);
  line('voice-to-voice − minSilenceMs (agent onLatency)', r.beyondSilence);
  line('voice-to-voice − endpointingMs (agent: after the VAD decided)', r.afterVad);
  line('overheadMs (agent onLatency: minus VAD end, STT, LLM, TTS)', r.overhead);
  line('first play() − speech end in the fed audio − minSilenceMs', r.measured);
  console.log('   (voice-to-voice counts from the VAD\'s back-dated end of speech; the cross-check from the');
  console.log('   acoustic end of the espeak clip, so it also carries the VAD\'s own end-detection offset.)');
  console.log('   The first RTP packet leaves at the next 20 ms media tick after play(): add 0–20 ms on the wire.');
  console.log(`   target p95 < ${TARGET_P95_MS} ms beyond the endpointing silence → ${r.pass ? 'PASS' : 'NOT MET'}`);
}
