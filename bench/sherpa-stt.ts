import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeTestTransducer } from '../test/helpers/sherpa-test-model.ts';
import { sineTone } from '../test/helpers/tone.ts';
import { SherpaDecoder } from '../src/voice/providers/sherpa-onnx/decoder.ts';
import { findSherpaModel } from '../src/voice/providers/sherpa-onnx/model-dir.ts';
import type { FromWorker } from '../src/voice/providers/sherpa-onnx/protocol.ts';
import { loadSherpaAddon, recognizerConfig, tailPaddingMs } from '../src/voice/providers/sherpa-onnx/recognizer.ts';
import { SherpaOnnxStt } from '../src/voice/providers/sherpa-onnx/stt.ts';

// `node --import tsx bench/sherpa-stt.ts`: what sherpa-onnx recognition costs and what it does to
// the main thread, measured side by side in one run. It prints figures; it never fails on them.
// No pretrained model can be downloaded here, so the model is the tests' transducer with a
// feed-forward stack in its encoder sized like a small streaming zipformer's arithmetic
// (random weights: the cost is real, the text still comes from the test model's tone rule).
//  1. The boot check: load time, ms per decode step (one 160 ms chunk), real-time factor.
//  2. N calls in real time (a 20 ms frame to every call per tick, a tone then silence, flush
//     each second), decoded in the worker vs the same SherpaDecoder on the main thread: the main
//     thread's event-loop delay (perf_hooks, what RTP and the agents on it would suffer), flush
//     → final latency, decode time per step.
// Knobs: BENCH_SHERPA_LAYERS (8), BENCH_SHERPA_WIDTH (512), BENCH_SHERPA_CALLS (1,4,8),
// BENCH_SHERPA_SECONDS (4), BENCH_SHERPA_THREADS (1).

const LAYERS = Number(process.env.BENCH_SHERPA_LAYERS ?? 8);
const WIDTH = Number(process.env.BENCH_SHERPA_WIDTH ?? 512);
const CALLS = (process.env.BENCH_SHERPA_CALLS ?? '1,4,8').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SHERPA_SECONDS ?? 4);
const THREADS = Number(process.env.BENCH_SHERPA_THREADS ?? 1);
const CHUNK_MS = 160; // the test model's decode_chunk_len (16 frames of 10 ms)

const fmt = (v: number, digits = 2) => v.toFixed(digits);
const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

/** One second of a call: 600 ms of tone, 400 ms of silence, as 20 ms frames. */
function secondOfCall(): Int16Array[] {
  const audio = new Int16Array(8000);
  audio.set(sineTone(700, 8000, 600, 8000));
  return Array.from({ length: 50 }, (_, i) => audio.subarray(i * 160, (i + 1) * 160));
}

interface Sink {
  push(call: number, frame: Int16Array): void;
  flush(call: number): void;
}

interface RunFigures {
  lateP50: number;
  lateP99: number;
  lateMax: number;
  finalP50: number;
  finalMax: number;
  finals: number;
  heard: number;
}

/** Ticks every 20 ms: one frame to every call, a flush per call each second; measures the event-loop delay meanwhile. */
async function realTime(calls: number, sink: Sink, finals: { at: number[]; texts: string[] }): Promise<RunFigures> {
  const second = secondOfCall();
  const flushedAt: number[][] = Array.from({ length: calls }, () => []);
  const ticks = SECONDS * 50;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  await new Promise<void>((resolve) => {
    let tick = 0;
    const timer = setInterval(() => {
      for (let c = 0; c < calls; c++) {
        sink.push(c, second[tick % 50]);
        if (tick % 50 === 49) {
          flushedAt[c].push(performance.now());
          sink.flush(c);
        }
      }
      if (++tick === ticks) {
        clearInterval(timer);
        resolve();
      }
    }, 20);
  });
  const deadline = performance.now() + 10_000;
  while (finals.at.length < calls * SECONDS && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  delay.disable();
  const ms = (ns: number) => ns / 1e6;
  const latencies = finals.at.map((at, i) => at - flushedAt[i % calls][Math.floor(i / calls)]);
  return {
    lateP50: ms(delay.percentile(50)), lateP99: ms(delay.percentile(99)), lateMax: ms(delay.max),
    finalP50: quantile(latencies, 0.5), finalMax: Math.max(0, ...latencies), finals: finals.at.length, heard: finals.texts.filter((t) => t === 'sí señor').length,
  };
}

async function inWorker(stt: SherpaOnnxStt, calls: number): Promise<RunFigures & { stepMs: number; steps: number }> {
  const before = stt.stats().decode;
  const finals = { at: [] as number[], texts: [] as string[] };
  const streams = Array.from({ length: calls }, () => stt.open({ language: 'es', sampleRate: 8000, interimResults: false }, new AbortController().signal));
  streams.forEach((stream) => void (async () => {
    for await (const r of stream.results()) if (r.type === 'final') (finals.at.push(performance.now()), finals.texts.push(r.text));
  })());
  const figures = await realTime(calls, { push: (c, f) => streams[c].push(f), flush: (c) => streams[c].flush() }, finals);
  await Promise.all(streams.map((s) => s.close()));
  const after = stt.stats().decode;
  const steps = after.steps - before.steps;
  return { ...figures, steps, stepMs: steps ? (after.totalMs - before.totalMs) / steps : 0 };
}

async function onMainThread(dir: string, calls: number): Promise<RunFigures & { stepMs: number; steps: number }> {
  const model = findSherpaModel(dir);
  const recognizer = new (loadSherpaAddon().OnlineRecognizer)(recognizerConfig(model, THREADS));
  const finals = { at: [] as number[], texts: [] as string[] };
  const decoder = new SherpaDecoder(recognizer, tailPaddingMs(model), (m: FromWorker) => {
    if (m.t === 'final') (finals.at.push(performance.now()), finals.texts.push(m.text));
  });
  for (let c = 0; c < calls; c++) decoder.handle({ t: 'open', id: c, interim: false });
  const figures = await realTime(calls, { push: (c, pcm) => decoder.handle({ t: 'audio', id: c, pcm }), flush: (c) => decoder.handle({ t: 'flush', id: c }) }, finals);
  const { steps, totalMs } = decoder.counters;
  return { ...figures, steps, stepMs: steps ? totalMs / steps : 0 };
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'habla-bench-sherpa-'));
  try {
    const files = writeTestTransducer(join(root, 'model'), { load: { layers: LAYERS, width: WIDTH } });
    const params = 80 * WIDTH + LAYERS * 8 * WIDTH * WIDTH;
    const mflopPerChunk = (2 * 16 * params) / 1e6;
    console.log(`sherpa-onnx ${loadSherpaAddon().version ?? '?'} · ${availableParallelism()} cores · load ${loadavg().map((l) => fmt(l)).join(' ')} · ${THREADS} onnxruntime thread(s)`);
    console.log(`model: test transducer + ${LAYERS} × (${WIDTH}→${4 * WIDTH}→${WIDTH}) in the encoder: ${fmt(params / 1e6, 1)} M parameters, ${fmt(statSync(files.encoder).size / 1e6, 0)} MB, ${fmt(mflopPerChunk, 0)} MFLOP per ${CHUNK_MS} ms chunk`);

    const stt = new SherpaOnnxStt({ modelDir: files.dir, numThreads: THREADS });
    await stt.ready();
    const p = stt.probe!;
    console.log(`\n1. boot check (child process): load ${fmt(p.loadMs, 0)} ms, ${p.steps} steps, ${fmt(p.meanStepMs)} ms per step (max ${fmt(p.maxStepMs)}), real-time factor ${fmt(p.meanStepMs / CHUNK_MS, 3)}`);

    console.log(`\n2. ${SECONDS} s of real-time calls (20 ms ticks), decoding in the worker vs on the main thread`);
    console.log('   calls  where        event-loop delay p50/p99/max ms   final p50/max ms   steps  ms/step   finals heard');
    for (const calls of CALLS) {
      for (const [where, run] of [['worker', () => inWorker(stt, calls)], ['main thread', () => onMainThread(files.dir, calls)]] as const) {
        const r = await run();
        console.log(`   ${String(calls).padStart(5)}  ${where.padEnd(11)}  ${`${fmt(r.lateP50)} / ${fmt(r.lateP99)} / ${fmt(r.lateMax)}`.padEnd(32)}  ${`${fmt(r.finalP50, 1)} / ${fmt(r.finalMax, 1)}`.padEnd(17)}  ${String(r.steps).padStart(5)}  ${fmt(r.stepMs).padStart(7)}   ${r.heard}/${r.finals}`);
      }
    }
    await stt.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
