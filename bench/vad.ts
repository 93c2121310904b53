import { availableParallelism, loadavg } from 'node:os';
import { EnergyVad } from '../src/voice/vad/energy-vad.ts';
import { SILERO_INPUT_SAMPLES, SILERO_STATE_FLOATS, SileroModel } from '../src/voice/vad/silero-model.ts';
import { SileroVadPool } from '../src/voice/vad/silero-pool.ts';
import { SileroVad } from '../src/voice/vad/silero-vad.ts';
import { buildSpeechFixture, SPANISH_TURNS } from '../src/voice/vad/speech-fixture.ts';
import type { Vad } from '../src/voice/vad/vad.ts';

// `npm run bench:vad`: what voice activity detection costs per call, measured side by side in
// one run. It prints figures; it never fails on them.
//  1. Silero v5 model alone: one session.run over B windows, B = 1 … 128 (ms per window).
//  2. Many calls, as the media clock delivers them (one 20 ms frame to every call per tick,
//     calls out of phase): per-call SileroVad (B = 1) vs SileroVadPool vs EnergyVad — CPU per
//     call-second of audio, the calls one core could carry, mean batch, longest model run.
//  3. Real time: N calls ticked every 20 ms for a few seconds — CPU share and the lateness of
//     each tick (what RTP sends on the same clock would suffer), unbatched vs pooled.
// Knobs: BENCH_VAD_CALLS (comma list, default 1,25,100,200), BENCH_VAD_SECONDS (audio per call
// in part 2, 5), BENCH_VAD_REALTIME_CALLS (100,200), BENCH_VAD_REALTIME_SECONDS (4).

const CALLS = (process.env.BENCH_VAD_CALLS ?? '1,25,100,200').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_VAD_SECONDS ?? 5);
const REALTIME_CALLS = (process.env.BENCH_VAD_REALTIME_CALLS ?? '100,200').split(',').map(Number);
const REALTIME_SECONDS = Number(process.env.BENCH_VAD_REALTIME_SECONDS ?? 4);
const FRAME = 160;

const fmt = (v: number, digits = 3) => v.toFixed(digits);

async function modelAlone(model: SileroModel, threads: number): Promise<void> {
  console.log(`\n1. Silero v5 session.run, ${threads} intra-op thread(s), best of 5 rounds`);
  console.log('   batch   ms/run   ms/window   vs B=1');
  let single = 0;
  for (const batch of [1, 2, 4, 8, 16, 32, 64, 128]) {
    const input = new Float32Array(batch * SILERO_INPUT_SAMPLES).map(() => (Math.random() - 0.5) * 0.1);
    const state = new Float32Array(batch * SILERO_STATE_FLOATS);
    for (let i = 0; i < 20; i++) await model.run(input, state, batch); // warm-up
    // Best of 5 rounds: other processes on the machine only ever make a round slower.
    const runs = Math.max(20, Math.round(1000 / batch));
    let perRun = Infinity;
    for (let round = 0; round < 5; round++) {
      const started = performance.now();
      for (let i = 0; i < runs; i++) await model.run(input, state, batch);
      perRun = Math.min(perRun, (performance.now() - started) / runs);
    }
    if (batch === 1) single = perRun;
    console.log(`   ${String(batch).padStart(5)}   ${fmt(perRun).padStart(6)}   ${fmt(perRun / batch, 4).padStart(9)}   ${fmt(single / (perRun / batch), 1).padStart(5)}×`);
  }
}

/** The audio of one call: the two turns looped to `seconds`, starting at a random phase. */
function callAudio(base: Int16Array, seconds: number, seed: number): Int16Array {
  const out = new Int16Array(seconds * 8000);
  const phase = (seed * 7919) % base.length; // out of phase with the other calls
  for (let i = 0; i < out.length; i++) out[i] = base[(phase + i) % base.length];
  return out;
}

interface Mode {
  name: string;
  open(calls: number): Promise<{ vads: Vad[]; close(): Promise<void>; stats(): string }>;
}

function modes(model: SileroModel): Mode[] {
  const sileroOne: Mode = {
    name: 'SileroVad per call (B=1)',
    async open(calls) {
      const before = { ...model.stats };
      const vads = await Promise.all(Array.from({ length: calls }, () => SileroVad.create({ model })));
      return { vads, close: async () => void (await Promise.all(vads.map((v) => v.close()))), stats: () => runStats(model, before) };
    },
  };
  const pooled = (maxBatch: number): Mode => ({
    name: `SileroVadPool maxBatch ${maxBatch}`,
    async open(calls) {
      const before = { ...model.stats };
      const pool = await SileroVadPool.create({ model, maxBatch });
      const vads = Array.from({ length: calls }, () => pool.createVad());
      return { vads, close: () => pool.close(), stats: () => runStats(model, before) };
    },
  });
  const energy: Mode = {
    name: 'EnergyVad',
    async open(calls) {
      return { vads: Array.from({ length: calls }, () => new EnergyVad()), close: async () => {}, stats: () => '' };
    },
  };
  return [sileroOne, pooled(32), pooled(128), energy];
}

function runStats(model: SileroModel, before: SileroModel['stats']): string {
  const runs = model.stats.runs - before.runs;
  const windows = model.stats.windows - before.windows;
  const ms = model.stats.inferenceMs - before.inferenceMs;
  return `mean batch ${fmt(windows / Math.max(1, runs), 1)}, model ${fmt(ms / Math.max(1, windows), 4)} ms/window`;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

async function manyCalls(model: SileroModel, base: Int16Array): Promise<void> {
  console.log(`\n2. ${SECONDS} s of audio per call, every call fed one 20 ms frame per tick, as fast as it goes`);
  console.log('   calls  mode                         CPU ms per call-s   calls/core   longest run ms   notes');
  for (const calls of CALLS) {
    const audio = Array.from({ length: calls }, (_, k) => callAudio(base, SECONDS, k + 1));
    for (const mode of modes(model)) {
      const { vads, close, stats } = await mode.open(calls);
      const maxRunBefore = model.stats.maxRunMs;
      model.stats.maxRunMs = 0;
      const cpu = process.cpuUsage();
      for (let at = 0; at < SECONDS * 8000; at += FRAME) {
        await Promise.all(vads.map((vad, k) => vad.process(audio[k].subarray(at, at + FRAME))));
      }
      const perCallSecond = cpuMs(cpu) / (calls * SECONDS);
      const longest = mode.name === 'EnergyVad' ? '-' : fmt(model.stats.maxRunMs, 2);
      model.stats.maxRunMs = Math.max(maxRunBefore, model.stats.maxRunMs);
      console.log(`   ${String(calls).padStart(5)}  ${mode.name.padEnd(28)} ${fmt(perCallSecond, 2).padStart(17)}   ${String(Math.floor(1000 / perCallSecond)).padStart(10)}   ${longest.padStart(14)}   ${stats()}`);
      await close();
    }
  }
}

/** Ticks every 20 ms against fixed deadlines (as MediaClock does); returns each tick's lateness in ms. */
function tickFor(ticks: number, onTick: (tick: number) => void): Promise<number[]> {
  const lateness: number[] = [];
  const start = performance.now();
  return new Promise((resolve) => {
    const fire = () => {
      const tick = lateness.length;
      lateness.push(performance.now() - (start + (tick + 1) * 20));
      onTick(tick);
      if (tick + 1 === ticks) return resolve(lateness);
      setTimeout(fire, Math.max(0, start + (tick + 2) * 20 - performance.now()));
    };
    setTimeout(fire, 20);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function realTime(model: SileroModel, base: Int16Array): Promise<void> {
  console.log(`\n3. Real time: a 20 ms tick feeds every call its frame in one macrotask (as MediaClock does), ${REALTIME_SECONDS} s per run`);
  console.log('   tick lateness is what RTP sends on the same clock would suffer');
  console.log('   calls  mode                         CPU %   tick lateness p50/p99/max ms   notes');
  const ticks = (REALTIME_SECONDS * 1000) / 20;
  const idle = (await tickFor(ticks, () => {})).sort((a, b) => a - b);
  console.log(`       0  (idle timer)                     -   ${`${fmt(percentile(idle, 50), 1)}/${fmt(percentile(idle, 99), 1)}/${fmt(idle[idle.length - 1], 1)}`.padStart(28)}`);
  const chosen = modes(model).filter((m) => !m.name.includes('128'));
  for (const calls of REALTIME_CALLS) {
    const audio = Array.from({ length: calls }, (_, k) => callAudio(base, REALTIME_SECONDS + 1, k + 1));
    for (const mode of chosen) {
      const { vads, close, stats } = await mode.open(calls);
      const cpu = process.cpuUsage();
      const started = performance.now();
      const lateness = await tickFor(ticks, (tick) => {
        const at = tick * FRAME;
        for (let k = 0; k < calls; k++) void vads[k].process(audio[k].subarray(at, at + FRAME));
      });
      await Promise.all(vads.map((v) => v.process(new Int16Array(0)))); // the last windows finish
      const share = (cpuMs(cpu) / (performance.now() - started)) * 100;
      lateness.sort((a, b) => a - b);
      const late = `${fmt(percentile(lateness, 50), 1)}/${fmt(percentile(lateness, 99), 1)}/${fmt(lateness[lateness.length - 1], 1)}`;
      console.log(`   ${String(calls).padStart(5)}  ${mode.name.padEnd(28)} ${fmt(share, 0).padStart(5)}   ${late.padStart(28)}   ${stats()}`);
      await close();
    }
  }
}

async function main(): Promise<void> {
  const fixture = await buildSpeechFixture({ utterances: SPANISH_TURNS, silencesMs: [500, 800, 1000], noiseDbfs: -50 });
  const model = await SileroModel.load({ threads: 1 });
  console.log(`VAD bench — Node ${process.version}, onnxruntime-node, Silero v5 at 8 kHz (32 ms windows)`);
  console.log(`load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores (other processes skew parts 2 and 3)`);
  await modelAlone(model, 1);
  const twoThreads = await SileroModel.load({ threads: 2 });
  await modelAlone(twoThreads, 2);
  await twoThreads.release();
  await manyCalls(model, fixture.pcm);
  await realTime(model, fixture.pcm);
  await model.release();
}

await main();
