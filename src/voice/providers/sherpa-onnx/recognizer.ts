// What the probe and the decoding worker share: the sherpa-onnx-node addon (typed for the part
// used here; the package ships JSDoc only) and the OnlineRecognizer configuration for a model
// found by findSherpaModel().

import { createRequire } from 'node:module';
import type { SherpaModel } from './model-dir.ts';

/** The rate features are computed at: the supported families are all trained on 16 kHz audio. */
export const MODEL_SAMPLE_RATE = 16_000;

export interface SherpaWaveform {
  samples: Float32Array;
  sampleRate: number;
}

export interface SherpaOnlineStream {
  acceptWaveform(waveform: SherpaWaveform): void;
  inputFinished(): void;
}

/** OnlineRecognizerResult::AsJsonString() (sherpa-onnx-node's getResult parses it). */
export interface SherpaOnlineResult {
  text: string;
  tokens: string[];
  /** Seconds from the start of the stream's audio, one per token. */
  timestamps: number[];
  /** Log-probability of each token. */
  ys_probs?: number[];
}

export interface SherpaOnlineRecognizer {
  createStream(): SherpaOnlineStream;
  isReady(stream: SherpaOnlineStream): boolean;
  decode(stream: SherpaOnlineStream): void;
  decodeStreams(streams: SherpaOnlineStream[]): void;
  getResult(stream: SherpaOnlineStream): SherpaOnlineResult;
}

export interface SherpaAddon {
  OnlineRecognizer: new (config: SherpaRecognizerConfig) => SherpaOnlineRecognizer;
  version?: string;
}

export interface SherpaRecognizerConfig {
  featConfig: { sampleRate: number; featureDim: number };
  modelConfig: Record<string, unknown>;
  decodingMethod: 'greedy_search';
  enableEndpoint: 0;
}

/** Where `require('sherpa-onnx-node')` resolves from this module (the probe's child and the worker load that file). */
export function sherpaAddonPath(): string {
  return createRequire(import.meta.url).resolve('sherpa-onnx-node');
}

export function loadSherpaAddon(path = sherpaAddonPath()): SherpaAddon {
  return createRequire(import.meta.url)(path) as SherpaAddon;
}

/**
 * Greedy search (the streaming default; beam search would cost more per step for little gain on
 * a phone line), no endpointing: our VAD and turn detector end utterances with flush().
 */
export function recognizerConfig(model: SherpaModel, numThreads: number): SherpaRecognizerConfig {
  const files = model.family === 'transducer'
    ? { transducer: { encoder: model.encoder, decoder: model.decoder, joiner: model.joiner }, modelType: model.modelType }
    : { zipformer2Ctc: { model: model.model } };
  return {
    featConfig: { sampleRate: MODEL_SAMPLE_RATE, featureDim: 80 },
    modelConfig: { ...files, tokens: model.tokens, numThreads, provider: 'cpu', debug: 0 },
    decodingMethod: 'greedy_search',
    enableEndpoint: 0,
  };
}

/**
 * Silence appended at a flush so the recogniser decodes the utterance's last words: it only
 * runs a step once a whole chunk of T feature frames (10 ms each) is there. One chunk and a
 * little more; 600 ms when the export does not say its T.
 */
export function tailPaddingMs(model: SherpaModel): number {
  return model.chunkFrames === undefined ? 600 : (model.chunkFrames + 10) * 10;
}
