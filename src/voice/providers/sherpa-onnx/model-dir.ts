// Finds the streaming model in an operator's sherpa-onnx model directory, by the file names the
// sherpa-onnx releases and icefall exports use, and checks what the native loader would
// otherwise die on: sherpa-onnx exits, segfaults or aborts the whole process on a missing
// metadata key, an unknown model_type or a file that is not ONNX. Every problem is reported by
// name (which file, which key), so the process stops at boot with a message an operator can act on.
//
//   streaming transducer   encoder*.onnx decoder*.onnx joiner*.onnx tokens.txt   (zipformer2, zipformer, lstm, conformer, ebranchformer)
//   streaming CTC          ctc*.onnx | model*.onnx tokens.txt                    (zipformer2 CTC)
//
// When a part comes as both `x.onnx` and `x.int8.onnx`, the int8 encoder/joiner/CTC model is
// taken (the CPU-friendly choice sherpa-onnx's examples make) and the float decoder (small, and
// the one part int8 hurts). Two different models for one part is an error, not a guess.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OnnxFileError, readOnnxMetadata } from './onnx-metadata.ts';

export type SherpaModel =
  | {
      family: 'transducer';
      /** The encoder's metadata model_type (passed on, so sherpa-onnx does not load the encoder twice to read it). */
      modelType: string;
      encoder: string;
      decoder: string;
      joiner: string;
      tokens: string;
      /** Feature frames (10 ms) the encoder takes per step (metadata T), when the export says. */
      chunkFrames: number | undefined;
    }
  | { family: 'zipformer2-ctc'; model: string; tokens: string; chunkFrames: number | undefined };

export class SherpaModelError extends Error {
  override readonly name = 'SherpaModelError';
}

const TRANSDUCER_TYPES = ['zipformer2', 'zipformer', 'lstm', 'conformer', 'ebranchformer'];
/** Metadata sherpa-onnx reads without a default (it exits when one is missing). */
const REQUIRED_KEYS: Record<string, string[]> = {
  zipformer2: ['encoder_dims', 'query_head_dims', 'value_head_dims', 'num_heads', 'num_encoder_layers', 'cnn_module_kernels', 'left_context_len', 'T', 'decode_chunk_len'],
  lstm: ['num_encoder_layers', 'T', 'decode_chunk_len', 'rnn_hidden_size', 'd_model'],
  decoder: ['vocab_size', 'context_size'],
};
const CTC_BLANKS = ['<blk>', '<eps>', '<blank>'];
const EXPECTED =
  'a streaming transducer (encoder*.onnx, decoder*.onnx, joiner*.onnx and tokens.txt) or a streaming Zipformer2 CTC model (ctc*.onnx or model*.onnx and tokens.txt)';

/** The model in `dir`; throws SherpaModelError naming what is missing or wrong. */
export function findSherpaModel(dir: string): SherpaModel {
  const names = listDirectory(dir);
  const onnx = names.filter((name) => name.endsWith('.onnx'));
  const part = (prefix: string) => onnx.filter((name) => name.startsWith(prefix));
  const [encoders, decoders, joiners] = [part('encoder'), part('decoder'), part('joiner')];
  const ctc = onnx.filter((name) => name.startsWith('ctc') || name.startsWith('model'));
  if (encoders.length + decoders.length + joiners.length > 0) {
    const missing = [['encoder', encoders], ['decoder', decoders], ['joiner', joiners]].filter(([, found]) => found.length === 0).map(([p]) => `${p}*.onnx`);
    if (missing.length > 0) {
      const paraformer = joiners.length === 0 && encoders.length > 0 && decoders.length > 0 ? ' (encoder + decoder without a joiner is a paraformer, which is not supported)' : '';
      throw new SherpaModelError(`${dir} has a transducer's ${[...new Set([encoders, decoders, joiners].flat())].join(', ')} but no ${missing.join(' or ')}${paraformer}; expected ${EXPECTED}`);
    }
    return transducer(dir, {
      encoder: pick(dir, 'encoder', encoders, 'int8'),
      decoder: pick(dir, 'decoder', decoders, 'float'),
      joiner: pick(dir, 'joiner', joiners, 'int8'),
      tokens: tokensFile(dir, names),
    });
  }
  if (ctc.length > 0) return zipformer2Ctc(dir, join(dir, pick(dir, 'CTC model', ctc, 'int8')), tokensFile(dir, names));
  throw new SherpaModelError(`no model in ${dir}: expected ${EXPECTED}${onnx.length > 0 ? `; found ${onnx.join(', ')}` : ''}`);
}

function transducer(dir: string, files: { encoder: string; decoder: string; joiner: string; tokens: string }): SherpaModel {
  const [encoder, decoder, joiner] = [join(dir, files.encoder), join(dir, files.decoder), join(dir, files.joiner)];
  const meta = metadataOf(encoder);
  const modelType = meta.model_type;
  if (!modelType) {
    throw new SherpaModelError(`${encoder} has no model_type in its metadata: export it with icefall's export-onnx.py (sherpa-onnx cannot tell which transducer it is)`);
  }
  if (!TRANSDUCER_TYPES.includes(modelType)) {
    throw new SherpaModelError(`${encoder} is a "${modelType}" model; streaming transducers sherpa-onnx runs are ${TRANSDUCER_TYPES.join(', ')}`);
  }
  requireKeys(encoder, meta, REQUIRED_KEYS[modelType] ?? []);
  requireKeys(decoder, metadataOf(decoder), REQUIRED_KEYS.decoder);
  metadataOf(joiner);
  readTokens(files.tokens, dir);
  return { family: 'transducer', modelType, encoder, decoder, joiner, tokens: join(dir, files.tokens), chunkFrames: positiveInt(meta.T) };
}

function zipformer2Ctc(dir: string, model: string, tokensName: string): SherpaModel {
  const meta = metadataOf(model);
  if (meta.encoder_dims === undefined) {
    const type = meta.model_type ? ` (its model_type is "${meta.model_type}")` : '';
    throw new SherpaModelError(`${model} is not a streaming Zipformer2 CTC model${type}: its metadata has no encoder_dims; expected ${EXPECTED}`);
  }
  requireKeys(model, meta, REQUIRED_KEYS.zipformer2);
  const tokens = readTokens(tokensName, dir);
  if (!CTC_BLANKS.some((blank) => tokens.has(blank))) {
    throw new SherpaModelError(`${join(dir, tokensName)} has no blank symbol (${CTC_BLANKS.join(', ')}), which a CTC model needs`);
  }
  return { family: 'zipformer2-ctc', model, tokens: join(dir, tokensName), chunkFrames: positiveInt(meta.T) };
}

function listDirectory(dir: string): string[] {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    throw new SherpaModelError(`${dir} ${describeFsError(error, 'cannot be read')}`);
  }
  if (!isDirectory) throw new SherpaModelError(`${dir} is not a directory`);
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    throw new SherpaModelError(`${dir} ${describeFsError(error, 'cannot be listed')}`);
  }
}

/** One file for a part: int8/float variants of one model are fine, two models are not. */
function pick(dir: string, part: string, candidates: string[], prefer: 'int8' | 'float'): string {
  const base = (name: string) => name.replace(/\.(int8|fp16)\.onnx$/, '.onnx');
  const models = [...new Set(candidates.map(base))];
  if (models.length > 1) {
    throw new SherpaModelError(`${dir} has several ${part} models (${candidates.join(', ')}): keep one (its .int8 variant may stay beside it)`);
  }
  const variants = (prefer === 'int8' ? ['.int8.onnx', '.onnx', '.fp16.onnx'] : ['.onnx', '.int8.onnx', '.fp16.onnx']).map((ext) => models[0].replace(/\.onnx$/, ext));
  return variants.find((name) => candidates.includes(name)) ?? candidates[0];
}

function tokensFile(dir: string, names: string[]): string {
  if (!names.includes('tokens.txt')) throw new SherpaModelError(`no tokens.txt in ${dir} (the model's token table); expected ${EXPECTED}`);
  return 'tokens.txt';
}

/** The symbols of tokens.txt (`<symbol> <id>` per line). */
function readTokens(name: string, dir: string): Set<string> {
  const file = join(dir, name);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SherpaModelError(`${file} ${describeFsError(error, 'cannot be read')}`);
  }
  const symbols = new Set(text.split('\n').filter((line) => line.trim() !== '').map((line) => line.trim().split(/\s+/)[0]));
  if (symbols.size === 0) throw new SherpaModelError(`${file} is empty`);
  return symbols;
}

function metadataOf(file: string): Record<string, string> {
  try {
    return readOnnxMetadata(file).metadata;
  } catch (error) {
    if (error instanceof OnnxFileError) throw new SherpaModelError(error.message);
    throw new SherpaModelError(`${file} ${describeFsError(error, 'cannot be read')}`);
  }
}

function requireKeys(file: string, metadata: Record<string, string>, keys: string[]): void {
  const missing = keys.filter((key) => metadata[key] === undefined || metadata[key] === '');
  if (missing.length > 0) {
    throw new SherpaModelError(`${file} lacks ${missing.join(', ')} in its metadata (sherpa-onnx needs them; re-export the model with icefall's export-onnx.py)`);
  }
}

function positiveInt(raw: string | undefined): number | undefined {
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

function describeFsError(error: unknown, fallback: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES' || code === 'EPERM') return `${fallback} (permission denied)`;
  if (code === 'ENOTDIR') return 'is not inside a directory';
  return `${fallback} (${code ?? String(error)})`;
}
