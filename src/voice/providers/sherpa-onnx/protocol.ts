// Messages between SherpaOnnxStt (main thread) and its decoding worker. One worker serves every
// call's stream; `id` names the stream. Audio is 8 kHz 16-bit PCM as the call delivers it (the
// worker resamples), copied by postMessage: the caller keeps its frames for replays.

import type { SherpaRecognizerConfig } from './recognizer.ts';

export interface SherpaWorkerData {
  addonPath: string;
  config: SherpaRecognizerConfig;
  /** Silence appended at each flush (see tailPaddingMs). */
  tailPaddingMs: number;
}

export type ToWorker =
  | { t: 'open'; id: number; interim: boolean }
  | { t: 'audio'; id: number; pcm: Int16Array }
  | { t: 'flush'; id: number }
  | { t: 'close'; id: number };

/** Decode work so far, for the provider's stats(). */
export interface DecodeCounters {
  /** Recogniser calls (decode or decodeStreams) and the streams they advanced. */
  steps: number;
  streamSteps: number;
  totalMs: number;
  maxMs: number;
}

export type FromWorker =
  | { t: 'ready'; loadMs: number }
  | { t: 'failed'; message: string }
  | { t: 'interim'; id: number; text: string; startMs?: number }
  | { t: 'final'; id: number; text: string; confidence?: number; startMs?: number; endMs?: number; decode: DecodeCounters };
