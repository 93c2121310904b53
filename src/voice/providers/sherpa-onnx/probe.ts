// Loads the model once in a child process before Habla loads it in its own: sherpa-onnx aborts
// or segfaults the process on a model it cannot run (an invalid graph, a metadata key it needs),
// so the first load happens where a crash costs nothing and its last words (sherpa-onnx's log
// line, onnxruntime's exception) become an error message. The child also decodes two seconds of
// silence and times each step: the figure that says whether this machine keeps up.

import { spawnSync } from 'node:child_process';
import { MODEL_SAMPLE_RATE, sherpaAddonPath, type SherpaRecognizerConfig } from './recognizer.ts';

export interface SherpaProbeResult {
  /** Creating the OnlineRecognizer (reading and initialising the ONNX sessions). */
  loadMs: number;
  /** Decode steps run on the probe audio and their times: a step is one chunk of audio. */
  steps: number;
  meanStepMs: number;
  maxStepMs: number;
  /** Probe audio decoded (padding included). */
  audioMs: number;
}

export class SherpaLoadError extends Error {
  override readonly name = 'SherpaLoadError';
}

const PROBE_AUDIO_MS = 2000;

// CommonJS, run with `node -e`: the config arrives on stdin, one JSON line of results leaves on
// stdout; a JavaScript error is one `error:` line on stderr (after sherpa-onnx's own log lines).
const CHILD = `
try {
  const input = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
  const sherpa = require(input.addon);
  let start = performance.now();
  const recognizer = new sherpa.OnlineRecognizer(input.config);
  const loadMs = performance.now() - start;
  const stream = recognizer.createStream();
  stream.acceptWaveform({ samples: new Float32Array(input.samples), sampleRate: input.sampleRate });
  stream.inputFinished();
  const times = [];
  while (recognizer.isReady(stream)) {
    start = performance.now();
    recognizer.decode(stream);
    times.push(performance.now() - start);
  }
  recognizer.getResult(stream);
  const total = times.reduce((a, b) => a + b, 0);
  process.stdout.write(JSON.stringify({ loadMs, steps: times.length, meanStepMs: times.length ? total / times.length : 0, maxStepMs: Math.max(0, ...times) }) + '\\n');
} catch (error) {
  process.stderr.write('error: ' + String(error && error.message || error).replace(/\\s+/g, ' ') + '\\n');
  process.exitCode = 1;
}
`;

/** Loads and runs the model in a child process; throws SherpaLoadError with sherpa-onnx's own words. */
export function probeSherpaModel(config: SherpaRecognizerConfig, options: { timeoutMs?: number; addonPath?: string } = {}): SherpaProbeResult {
  const samples = Math.round((PROBE_AUDIO_MS * MODEL_SAMPLE_RATE) / 1000);
  const input = JSON.stringify({ addon: options.addonPath ?? sherpaAddonPath(), config, samples, sampleRate: MODEL_SAMPLE_RATE });
  const child = spawnSync(process.execPath, ['-e', CHILD], { input, encoding: 'utf8', timeout: options.timeoutMs ?? 120_000, maxBuffer: 4 * 1024 * 1024 });
  const line = child.stdout?.trim().split('\n').pop() ?? '';
  if (child.status === 0 && line.startsWith('{')) {
    return { ...(JSON.parse(line) as Omit<SherpaProbeResult, 'audioMs'>), audioMs: PROBE_AUDIO_MS };
  }
  const how = child.error ? child.error.message : child.signal ? `crashed with ${child.signal}` : `exited with code ${child.status}`;
  throw new SherpaLoadError(`sherpa-onnx could not load the model (the loader ${how}): ${lastWords(child.stderr ?? '')}`);
}

/**
 * What the failed load said: onnxruntime's exception text when it threw, else sherpa-onnx's log
 * lines (without their source-file prefix) and the JavaScript error, in order.
 */
export function lastWords(stderr: string): string {
  const lines = stderr.split('\n').map((line) => line.trim()).filter(Boolean);
  const what = lines.find((line) => line.startsWith('what():'));
  if (what) return clip(what.slice('what():'.length).trim());
  const said = lines.filter((line) => !line.startsWith('terminate called')).map((line) => line.replace(/^\/\S+:\w+:\d+ /, '').replace(/^error: /, ''));
  return clip(said.join('; ') || 'no message');
}

function clip(text: string): string {
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}
