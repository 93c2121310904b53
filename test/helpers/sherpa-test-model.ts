// A tiny streaming transducer that sherpa-onnx really loads and decodes with, made by the tests
// (no pretrained model can be downloaded here). It has the layout and metadata of an icefall
// LSTM transducer export (encoder/decoder/joiner .onnx + tokens.txt) and recognises two
// "words" by pitch, from sherpa-onnx's own 80-bin fbank features:
//
//   a tone below ~1 kHz  → "sí señor"      a tone above ~1 kHz → "no"      silence → ""
//
// The encoder turns each 40 ms of feature frames (4 × 10 ms, the subsampling of real streaming
// encoders, which sherpa-onnx's timestamps assume) into evidence for the tokens: loudest mel bin
// in the low band (bins 0–27, up to ~1 kHz) or in the high band (28–79), above a loudness floor.
// The decoder turns the last emitted token into the tokens allowed next (after <blk>: "▁sí" or
// "▁no"; after "▁sí": "▁señor"; after those: nothing), and the joiner multiplies the two, with a
// constant 0.5 for blank. So greedy search emits each word once, in order, while the tone
// lasts, and a frame that is silence (or a wrong sample rate moving the tone across 1 kHz)
// changes the text. Frequencies: mel bin i of sherpa-onnx's 80-bin bank (20 Hz–7.6 kHz at
// 16 kHz) centres at mel 31.7 + 34.3·(i+1); 1 kHz is bin ~27.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxModel, type OnnxGraph } from './onnx-model.ts';

export const TEST_MODEL_TOKENS = ['<blk>', '▁sí', '▁no', '▁señor'] as const;
const V = TEST_MODEL_TOKENS.length;
const FEATURE_DIM = 80;
const LOW_BINS = 28;
/** Feature frames per encoder call (metadata T) and frames the recogniser moves on by (decode_chunk_len). */
const T = 24;
const CHUNK = 16;
/** log-mel value a band's loudest bin must pass to count as sound (silence is log(eps) ≈ -15.9). */
const LOUDNESS_FLOOR = 2;
const STEEPNESS = 4;

export interface TestModelFiles {
  dir: string;
  encoder: string;
  decoder: string;
  joiner: string;
  tokens: string;
}

export interface TestTransducerOptions {
  /** File name after the part's name (default `-epoch-99-avg-1.onnx`). */
  suffix?: string;
  /**
   * For benchmarks: make the encoder as costly as a real one. Each chunk's 16 feature frames
   * also go through `layers` feed-forward blocks (width → 4·width → width, random weights)
   * whose result is added times zero: the text is unchanged, the arithmetic is real.
   */
  load?: { layers: number; width: number };
}

/** Writes the model into `dir` with sherpa-onnx's release file names (`encoder-epoch-99-avg-1.onnx`, …). */
export function writeTestTransducer(dir: string, options: TestTransducerOptions = {}): TestModelFiles {
  mkdirSync(dir, { recursive: true });
  const suffix = options.suffix ?? '-epoch-99-avg-1.onnx';
  const files = {
    dir,
    encoder: join(dir, `encoder${suffix}`),
    decoder: join(dir, `decoder${suffix}`),
    joiner: join(dir, `joiner${suffix}`),
    tokens: join(dir, 'tokens.txt'),
  };
  writeFileSync(files.encoder, onnxModel(encoderGraph(options.load)));
  writeFileSync(files.decoder, onnxModel(decoderGraph()));
  writeFileSync(files.joiner, onnxModel(joinerGraph()));
  writeFileSync(files.tokens, TEST_MODEL_TOKENS.map((token, id) => `${token} ${id}\n`).join(''));
  return files;
}

const scalar = (name: string, value: number) => ({ name, type: 'float' as const, dims: [], values: [value] });
const ints = (name: string, values: number[]) => ({ name, type: 'int64' as const, dims: [values.length], values });

/**
 * x [N, T, 80] → `evidence` [N, CHUNK/4, vocab]: for each 40 ms, sigmoid(k·(loudest bin of one
 * band − max(loudest of the other band, floor))) on that band's tokens.
 */
function bandEvidence(lowTokens: number[], highTokens: number[]): Pick<OnnxGraph, 'nodes' | 'initializers'> {
  const bandMax = (band: string) => [
    { op: 'Slice', inputs: ['frames', `${band}_from`, `${band}_to`, 'axis2'], outputs: [`${band}_bins`] },
    { op: 'ReduceMax', inputs: [`${band}_bins`], outputs: [band], attributes: { axes: [2], keepdims: 0 } },
  ];
  const evidence = (band: string, other: string) => [
    { op: 'Max', inputs: [other, 'floor'], outputs: [`${band}_bar`] },
    { op: 'Sub', inputs: [band, `${band}_bar`], outputs: [`${band}_margin`] },
    { op: 'Mul', inputs: [`${band}_margin`, 'steepness'], outputs: [`${band}_scaled`] },
    { op: 'Sigmoid', inputs: [`${band}_scaled`], outputs: [`${band}_p`] },
    { op: 'Unsqueeze', inputs: [`${band}_p`, 'axis2'], outputs: [`${band}_p3`] },
    { op: 'Mul', inputs: [`${band}_p3`, `${band}_tokens`], outputs: [`${band}_evidence`] },
  ];
  return {
    nodes: [
      // Only the frames this chunk moves past, so every 10 ms frame is judged once; then, like a
      // real encoder, one output frame per 4 input frames (the loudest of the four).
      { op: 'Slice', inputs: ['x', 'zero', 'chunk', 'axis1'], outputs: ['chunk_frames'] },
      { op: 'Reshape', inputs: ['chunk_frames', 'groups_of_4'], outputs: ['grouped'] },
      { op: 'ReduceMax', inputs: ['grouped'], outputs: ['frames'], attributes: { axes: [2], keepdims: 0 } },
      ...bandMax('low'),
      ...bandMax('high'),
      ...evidence('low', 'high'),
      ...evidence('high', 'low'),
      { op: 'Add', inputs: ['low_evidence', 'high_evidence'], outputs: ['evidence'] },
    ],
    initializers: [
      ints('zero', [0]), ints('chunk', [CHUNK]), ints('axis1', [1]), ints('axis2', [2]), ints('groups_of_4', [0, CHUNK / 4, 4, FEATURE_DIM]),
      ints('low_from', [0]), ints('low_to', [LOW_BINS]), ints('high_from', [LOW_BINS]), ints('high_to', [FEATURE_DIM]),
      scalar('floor', LOUDNESS_FLOOR), scalar('steepness', STEEPNESS),
      { name: 'low_tokens', type: 'float', dims: [lowTokens.length], values: lowTokens },
      { name: 'high_tokens', type: 'float', dims: [highTokens.length], values: highTokens },
    ],
  };
}

function encoderGraph(load?: TestTransducerOptions['load']): OnnxGraph {
  const evidence = bandEvidence([0, 1, 0, 1] /* ▁sí, ▁señor */, [0, 0, 1, 0] /* ▁no */);
  const work = load ? busyWork(load.layers, load.width) : { nodes: [{ op: 'Identity', inputs: ['evidence'], outputs: ['encoder_out'] }], initializers: [] };
  return {
    name: 'encoder',
    inputs: [
      { name: 'x', type: 'float', dims: ['N', T, FEATURE_DIM] },
      { name: 'h', type: 'float', dims: [1, 'N', 1] },
      { name: 'c', type: 'float', dims: [1, 'N', 1] },
    ],
    outputs: [
      { name: 'encoder_out', type: 'float', dims: ['N', CHUNK / 4, V] },
      { name: 'next_h', type: 'float', dims: [1, 'N', 1] },
      { name: 'next_c', type: 'float', dims: [1, 'N', 1] },
    ],
    nodes: [
      ...evidence.nodes,
      ...work.nodes,
      { op: 'Identity', inputs: ['h'], outputs: ['next_h'] },
      { op: 'Identity', inputs: ['c'], outputs: ['next_c'] },
    ],
    initializers: [...(evidence.initializers ?? []), ...work.initializers],
    metadata: {
      model_type: 'lstm', num_encoder_layers: '1', T: String(T), decode_chunk_len: String(CHUNK), rnn_hidden_size: '1', d_model: '1',
    },
  };
}

/** evidence + 0 · (feed-forward stack over the chunk's frames), reduced to [N, CHUNK/4, V]. */
function busyWork(layers: number, width: number): Pick<OnnxGraph, 'nodes'> & { initializers: NonNullable<OnnxGraph['initializers']> } {
  const random = (n: number, scale: number) => Float32Array.from({ length: n }, () => (Math.random() - 0.5) * scale);
  const nodes: OnnxGraph['nodes'] = [{ op: 'MatMul', inputs: ['chunk_frames', 'w_in'], outputs: ['h0'] }];
  const initializers: NonNullable<OnnxGraph['initializers']> = [{ name: 'w_in', type: 'float', dims: [FEATURE_DIM, width], values: random(FEATURE_DIM * width, 0.1) }];
  for (let i = 0; i < layers; i++) {
    initializers.push(
      { name: `w_up${i}`, type: 'float', dims: [width, 4 * width], values: random(width * 4 * width, 2 / Math.sqrt(width)) },
      { name: `w_down${i}`, type: 'float', dims: [4 * width, width], values: random(4 * width * width, 2 / Math.sqrt(4 * width)) },
    );
    nodes.push(
      { op: 'MatMul', inputs: [`h${i}`, `w_up${i}`], outputs: [`up${i}`] },
      { op: 'Relu', inputs: [`up${i}`], outputs: [`act${i}`] },
      { op: 'MatMul', inputs: [`act${i}`, `w_down${i}`], outputs: [`h${i + 1}`] },
    );
  }
  nodes.push(
    { op: 'ReduceMean', inputs: [`h${layers}`], outputs: ['busy'], attributes: { axes: [1, 2], keepdims: 1 } }, // [N, 1, 1]
    { op: 'Mul', inputs: ['busy', 'nothing'], outputs: ['zero_busy'] },
    { op: 'Add', inputs: ['evidence', 'zero_busy'], outputs: ['encoder_out'] },
  );
  initializers.push(scalar('nothing', 0));
  return { nodes, initializers };
}

function decoderGraph(): OnnxGraph {
  // Row y: the tokens allowed after token y.
  const allowedAfter = [
    [0, 1, 1, 0], // <blk> (start): ▁sí or ▁no
    [0, 0, 0, 1], // ▁sí: ▁señor
    [0, 0, 0, 0], // ▁no
    [0, 0, 0, 0], // ▁señor
  ];
  return {
    name: 'decoder',
    inputs: [{ name: 'y', type: 'int64', dims: ['N', 1] }],
    outputs: [{ name: 'decoder_out', type: 'float', dims: ['N', V] }],
    nodes: [
      { op: 'Gather', inputs: ['allowed', 'y'], outputs: ['rows'], attributes: { axis: 0 } },
      { op: 'Squeeze', inputs: ['rows', 'axis1'], outputs: ['decoder_out'] },
    ],
    initializers: [
      { name: 'allowed', type: 'float', dims: [V, V], values: allowedAfter.flat() },
      { name: 'axis1', type: 'int64', dims: [1], values: [1] },
    ],
    metadata: { vocab_size: String(V), context_size: '1' },
  };
}

function joinerGraph(): OnnxGraph {
  return {
    name: 'joiner',
    inputs: [
      { name: 'encoder_out', type: 'float', dims: ['N', V] },
      { name: 'decoder_out', type: 'float', dims: ['N', V] },
    ],
    outputs: [{ name: 'logit', type: 'float', dims: ['N', V] }],
    nodes: [
      { op: 'Mul', inputs: ['encoder_out', 'decoder_out'], outputs: ['both'] },
      { op: 'Add', inputs: ['both', 'blank'], outputs: ['logit'] },
    ],
    initializers: [{ name: 'blank', type: 'float', dims: [V], values: [0.5, 0, 0, 0] }],
    metadata: { joiner_dim: String(V) },
  };
}

export const TEST_CTC_TOKENS = ['<blk>', '▁sí', '▁no'] as const;

/**
 * The same recogniser as a streaming Zipformer2 CTC export (`ctc-….onnx` + tokens.txt): a low
 * tone is "sí", a high one "no" (CTC collapses the repeats of a held tone into one word).
 * sherpa-onnx feeds a Zipformer2 its caches as inputs after the features, six per layer plus
 * the embedding cache and processed_lens, shaped from the metadata, and takes the next caches
 * from the outputs after the log-probs: here they pass through unchanged.
 */
export function writeTestZipformer2Ctc(dir: string): { dir: string; model: string; tokens: string } {
  mkdirSync(dir, { recursive: true });
  const files = { dir, model: join(dir, 'ctc-epoch-20-avg-1-chunk-16-left-4.onnx'), tokens: join(dir, 'tokens.txt') };
  writeFileSync(files.model, onnxModel(ctcGraph()));
  writeFileSync(files.tokens, TEST_CTC_TOKENS.map((token, id) => `${token} ${id}\n`).join(''));
  return files;
}

function ctcGraph(): OnnxGraph {
  const vocab = TEST_CTC_TOKENS.length;
  const evidence = bandEvidence([0, 1, 0], [0, 0, 1]);
  // encoder_dims 8, 1 head of query/value dim 2, conv kernel 3, left context 4 (see InitStates in sherpa-onnx).
  const caches: { name: string; type: 'float' | 'int64'; dims: (number | string)[] }[] = [
    { name: 'cached_key', type: 'float', dims: [4, 'N', 2] },
    { name: 'cached_nonlin_attn', type: 'float', dims: [1, 'N', 4, 6] },
    { name: 'cached_val1', type: 'float', dims: [4, 'N', 2] },
    { name: 'cached_val2', type: 'float', dims: [4, 'N', 2] },
    { name: 'cached_conv1', type: 'float', dims: ['N', 8, 1] },
    { name: 'cached_conv2', type: 'float', dims: ['N', 8, 1] },
    { name: 'embed_states', type: 'float', dims: ['N', 128, 3, 19] },
    { name: 'processed_lens', type: 'int64', dims: ['N'] },
  ];
  return {
    name: 'zipformer2_ctc',
    inputs: [{ name: 'x', type: 'float', dims: ['N', T, FEATURE_DIM] }, ...caches],
    outputs: [{ name: 'log_probs', type: 'float', dims: ['N', CHUNK / 4, vocab] }, ...caches.map((c) => ({ ...c, name: `new_${c.name}` }))],
    nodes: [
      ...evidence.nodes,
      { op: 'Add', inputs: ['evidence', 'blank'], outputs: ['logits'] },
      { op: 'LogSoftmax', inputs: ['logits'], outputs: ['log_probs'], attributes: { axis: -1 } },
      ...caches.map((c) => ({ op: 'Identity', inputs: [c.name], outputs: [`new_${c.name}`] })),
    ],
    initializers: [...(evidence.initializers ?? []), { name: 'blank', type: 'float', dims: [vocab], values: [0.5, 0, 0] }],
    metadata: {
      model_type: 'zipformer2', encoder_dims: '8', query_head_dims: '2', value_head_dims: '2', num_heads: '1', num_encoder_layers: '1',
      cnn_module_kernels: '3', left_context_len: '4', T: String(T), decode_chunk_len: String(CHUNK),
    },
  };
}
