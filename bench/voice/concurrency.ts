import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DualChannelWavRecorder } from '../../src/engine/recording/dual-channel-wav.ts';
import { MediaClock } from '../../src/telephony/media/media-clock.ts';
import { ToneTts } from '../../src/voice/agent/test-support.ts';
import { VoiceAgentApp } from '../../src/voice/agent/voice-agent-app.ts';
import type { AgentLatencyRecord } from '../../src/voice/agent/observer.ts';
import { ScriptedLlm } from '../../src/voice/providers/scripted/llm.ts';
import { ScriptedStt } from '../../src/voice/providers/scripted/stt.ts';
import type { SileroModel } from '../../src/voice/vad/silero-model.ts';
import { SileroVadPool } from '../../src/voice/vad/silero-pool.ts';
import { machineCpuMs } from '../sip/figures.ts';
import { ClockedCallAudio } from './clocked-call-audio.ts';
import { cpuMsSince, fmt, summary } from './stats.ts';

// Part 2: K full agents in one process on one shared MediaClock, as `habla serve` runs them:
// every 20 ms tick, each call sends its next agent frame, receives its next caller frame
// (a looped espeak conversation, calls out of phase) which goes to its agent (Silero VAD pool
// batching across calls → scripted STT → scripted LLM → tone TTS → playout), and writes both
// to its dual-channel WAV recorder. Tick lateness is measured at the start of each tick and
// after the last call's frame: the latter is what the last RTP send of the tick would suffer.

export const TARGET = { calls: 100, lateP99Ms: 5 };

export interface StepResult {
  calls: number;
  seconds: number;
  /** Lateness of the tick's start (the first call's send), ms. */
  startLate: ReturnType<typeof summary>;
  /** Lateness after the last call of the tick was served, ms. */
  endLate: ReturnType<typeof summary>;
  skippedTicks: number;
  cpuPct: number;
  /** CPU other processes used in the window, % of one core (/proc/stat busy minus ours). */
  othersPct: number;
  vadMsPerCallSecond: number;
  meanBatch: number;
  replies: number;
  voiceToVoiceP50: number;
  held: boolean;
}

export async function runStep(model: SileroModel, conversation: Int16Array, calls: number, seconds: number): Promise<StepResult> {
  const pool = await SileroVadPool.create({ model });
  const clock = new MediaClock();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'habla-bench-voice-'));
  const controllers: AbortController[] = [];
  const latency: AgentLatencyRecord[] = [];
  const stt = new ScriptedStt([], { otherwise: 'Vale.' });
  const llm = new ScriptedLlm([], { otherwise: { text: 'De acuerdo. Lo miro.' } });
  const tts = new ToneTts({ msPerChar: 15, chunkMs: 100 });
  const legs = await Promise.all(Array.from({ length: calls }, async (_, k) => {
    const audio = new ClockedCallAudio(conversation, Math.floor((k * 7919 * 160) % conversation.length));
    const recorder = await DualChannelWavRecorder.open(path.join(dir, `call-${k}.wav`));
    const app = new VoiceAgentApp(
      { callId: `bench-${k}`, direction: 'inbound', language: 'es', espeakVoice: 'es', greeting: null, timeBeforeStartMs: 0, volume: 50 },
      () => {},
      { vad: { createVad: (o) => pool.createVad(o) }, stt, llm, tts },
      { observer: { onLatency: (l) => latency.push(l) } },
    );
    const controller = new AbortController();
    controllers.push(controller);
    const done = app.run(audio, controller.signal);
    return { audio, recorder, done };
  }));

  const ticks = (seconds * 1000) / clock.frameMs;
  const startLate: number[] = [];
  const endLate: number[] = [];
  const statsBefore = { ...model.stats };
  let cpu = process.cpuUsage();
  let machine = machineCpuMs();
  let started = performance.now();
  // The first second warms up (JIT, first model runs, recorder files); it is not measured.
  const warmupTicks = 1000 / clock.frameMs;
  let tick = 0;
  // MediaClock's timer is unref'd (it never keeps a server alive); this keeps the bench alive.
  const keepAlive = setInterval(() => {}, 1000);
  await new Promise<void>((resolve) => {
    const unsubscribe = clock.subscribe((tickNow) => {
      const late = clock.now() - tickNow;
      for (const leg of legs) {
        const { agent, caller } = leg.audio.tick();
        leg.recorder.write(caller, agent);
      }
      tick++;
      if (tick === warmupTicks) {
        cpu = process.cpuUsage();
        machine = machineCpuMs();
        started = performance.now();
        Object.assign(statsBefore, model.stats);
      } else if (tick > warmupTicks) {
        startLate.push(late);
        endLate.push(clock.now() - tickNow);
      }
      if (tick >= warmupTicks + ticks) {
        unsubscribe();
        resolve();
      }
    });
  });
  clearInterval(keepAlive);
  const wallMs = performance.now() - started;
  const cpuMs = cpuMsSince(cpu);
  const othersMs = machineCpuMs().busy - machine.busy - cpuMs;
  const windows = model.stats.windows - statsBefore.windows;
  const runs = model.stats.runs - statsBefore.runs;
  const vadMs = model.stats.inferenceMs - statsBefore.inferenceMs;

  for (const controller of controllers) controller.abort();
  for (const leg of legs) leg.audio.stop();
  await Promise.all(legs.map((leg) => leg.done));
  await Promise.all(legs.map((leg) => leg.recorder.finish()));
  await pool.close();
  await fs.rm(dir, { recursive: true, force: true });

  const end = summary(endLate);
  const v2v = summary(latency.map((l) => l.voiceToVoiceMs ?? NaN).filter((v) => !Number.isNaN(v)));
  return {
    calls, seconds,
    startLate: summary(startLate), endLate: end, skippedTicks: clock.skippedTicks,
    cpuPct: (cpuMs / wallMs) * 100,
    othersPct: Math.max(0, (othersMs / wallMs) * 100),
    vadMsPerCallSecond: calls === 0 ? 0 : vadMs / (calls * (wallMs / 1000)),
    meanBatch: windows / Math.max(1, runs),
    replies: latency.length,
    voiceToVoiceP50: v2v.p50,
    held: end.p99 < TARGET.lateP99Ms,
  };
}

export function printStepHeader(seconds: number): void {
  console.log(`   ${seconds} s measured per step after 1 s warm-up; lateness = now − the tick's deadline on the shared MediaClock`);
  console.log('   calls  tick start p50/p99  last call p50/p99/max  skipped  CPU % 1 core  others %  VAD ms/call-s  batch  replies  v2v p50');
}

export function printStep(s: StepResult): void {
  const start = `${fmt(s.startLate.p50, 2)}/${fmt(s.startLate.p99, 2)}`;
  const end = `${fmt(s.endLate.p50, 2)}/${fmt(s.endLate.p99, 2)}/${fmt(s.endLate.max)}`;
  console.log(`   ${String(s.calls).padStart(5)}  ${start.padStart(18)}  ${end.padStart(21)}  ${String(s.skippedTicks).padStart(7)}  ${fmt(s.cpuPct, 0).padStart(12)}  ${fmt(s.othersPct, 0).padStart(8)}  ${fmt(s.vadMsPerCallSecond, 2).padStart(13)}  ${fmt(s.meanBatch).padStart(5)}  ${String(s.replies).padStart(7)}  ${(s.replies ? fmt(s.voiceToVoiceP50, 0) : '-').padStart(7)}${s.held ? '' : '   ← p99 ≥ 5 ms'}`);
  if (s.othersPct > 50) console.log(`          WARNING: other processes used ${fmt(s.othersPct, 0)}% of a core during this step: its lateness reflects them too`);
}
