import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { onnxModel } from '../../../../test/helpers/onnx-model.ts';
import { writeTestTransducer } from '../../../../test/helpers/sherpa-test-model.ts';
import { findSherpaModel, SherpaModelError } from './model-dir.ts';
import { readOnnxMetadata } from './onnx-metadata.ts';

const root = mkdtempSync(join(tmpdir(), 'habla-sherpa-dir-'));
let dirs = 0;
const freshDir = () => {
  const dir = join(root, `m${dirs++}`);
  mkdirSync(dir);
  return dir;
};

/** A valid ONNX file (one Identity node) carrying `metadata`. */
function onnxWith(metadata: Record<string, string>): Buffer {
  return onnxModel({
    name: 'g', inputs: [{ name: 'x', type: 'float', dims: [1] }], outputs: [{ name: 'y', type: 'float', dims: [1] }],
    nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }], metadata,
  });
}

const ZIPFORMER2 = {
  encoder_dims: '192', query_head_dims: '32', value_head_dims: '12', num_heads: '4', num_encoder_layers: '2',
  cnn_module_kernels: '31', left_context_len: '128', T: '45', decode_chunk_len: '32',
};

function refused(dir: string, message: RegExp): void {
  assert.throws(() => findSherpaModel(dir), (e: unknown) => e instanceof SherpaModelError && message.test(e.message), `${dir}: ${message}`);
}

describe('findSherpaModel(dir)', () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  test('a streaming transducer by release file names: int8 encoder and joiner, float decoder, the model type and chunk from the metadata', () => {
    const dir = freshDir();
    const files = writeTestTransducer(dir, { suffix: '-epoch-99-avg-1-chunk-16-left-128.onnx' });
    for (const part of ['encoder', 'decoder', 'joiner'] as const) copyFileSync(files[part], files[part].replace(/\.onnx$/, '.int8.onnx'));
    writeFileSync(join(dir, 'README.md'), 'a release also ships docs and test wavs');
    const model = findSherpaModel(dir);
    assert.deepEqual(model, {
      family: 'transducer', modelType: 'lstm',
      encoder: join(dir, 'encoder-epoch-99-avg-1-chunk-16-left-128.int8.onnx'),
      decoder: files.decoder,
      joiner: join(dir, 'joiner-epoch-99-avg-1-chunk-16-left-128.int8.onnx'),
      tokens: files.tokens, chunkFrames: 24,
    });
  });

  test('a streaming Zipformer2 CTC model (ctc*.onnx or model*.onnx) with a blank in tokens.txt', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'ctc-epoch-20-avg-1-chunk-16-left-128.onnx'), onnxWith(ZIPFORMER2));
    writeFileSync(join(dir, 'tokens.txt'), '<blk> 0\n<sos/eos> 1\n▁hola 2\n');
    assert.deepEqual(findSherpaModel(dir), { family: 'zipformer2-ctc', model: join(dir, 'ctc-epoch-20-avg-1-chunk-16-left-128.onnx'), tokens: join(dir, 'tokens.txt'), chunkFrames: 45 });
  });

  test('the directory itself: missing, a file, empty', () => {
    refused(join(root, 'nowhere'), /nowhere does not exist/);
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    refused(file, /a-file is not a directory/);
    refused(freshDir(), /no model in .*: expected a streaming transducer \(encoder\*\.onnx, decoder\*\.onnx, joiner\*\.onnx and tokens\.txt\) or a streaming Zipformer2 CTC model/);
  });

  test('missing files are named: a transducer part, tokens.txt; encoder + decoder alone is called a paraformer', () => {
    const noJoiner = freshDir();
    const files = writeTestTransducer(noJoiner);
    rmSync(files.joiner);
    refused(noJoiner, /has a transducer's encoder-epoch-99-avg-1\.onnx, decoder-epoch-99-avg-1\.onnx but no joiner\*\.onnx \(encoder \+ decoder without a joiner is a paraformer, which is not supported\)/);
    const onlyEncoder = freshDir();
    rmSync(writeTestTransducer(onlyEncoder).decoder);
    rmSync(join(onlyEncoder, 'joiner-epoch-99-avg-1.onnx'));
    refused(onlyEncoder, /but no decoder\*\.onnx or joiner\*\.onnx;/);
    const noTokens = freshDir();
    rmSync(writeTestTransducer(noTokens).tokens);
    refused(noTokens, /no tokens\.txt in .* \(the model's token table\)/);
  });

  test('unreadable or empty tokens.txt, a CTC token table without a blank', () => {
    const dir = freshDir();
    const files = writeTestTransducer(dir);
    rmSync(files.tokens);
    mkdirSync(files.tokens); // a directory where the file should be: cannot be read
    refused(dir, /tokens\.txt cannot be read \(EISDIR\)/);
    rmSync(files.tokens, { recursive: true });
    writeFileSync(files.tokens, '\n\n');
    refused(dir, /tokens\.txt is empty/);
    const ctc = freshDir();
    writeFileSync(join(ctc, 'model.int8.onnx'), onnxWith(ZIPFORMER2));
    writeFileSync(join(ctc, 'tokens.txt'), 'a 0\nb 1\n');
    refused(ctc, /has no blank symbol \(<blk>, <eps>, <blank>\), which a CTC model needs/);
  });

  test('two models for one part is an error, not a guess', () => {
    const dir = freshDir();
    writeTestTransducer(dir, { suffix: '-chunk-16.onnx' });
    writeTestTransducer(dir, { suffix: '-chunk-32.onnx' });
    refused(dir, /several encoder models \(encoder-chunk-16\.onnx, encoder-chunk-32\.onnx\): keep one/);
  });

  test('files sherpa-onnx would crash on: not ONNX, a Git LFS pointer, truncated, no or unknown model_type, missing metadata keys', () => {
    const cases: [string, Buffer | string, RegExp][] = [
      ['encoder', 'not an onnx model at all', /encoder-epoch-99-avg-1\.onnx is not an ONNX model/],
      ['joiner', 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 1234\n', /joiner-epoch-99-avg-1\.onnx is a Git LFS pointer, not the model \(fetch it with git lfs pull\)/],
      ['decoder', Buffer.alloc(0), /decoder-epoch-99-avg-1\.onnx is empty/],
      ['encoder', onnxWith({}), /has no model_type in its metadata: export it with icefall's export-onnx\.py/],
      ['encoder', onnxWith({ model_type: 'whisper' }), /is a "whisper" model; streaming transducers sherpa-onnx runs are zipformer2, zipformer, lstm, conformer, ebranchformer/],
      ['encoder', onnxWith({ model_type: 'zipformer2', T: '45' }), /lacks encoder_dims, query_head_dims, value_head_dims, num_heads, num_encoder_layers, cnn_module_kernels, left_context_len, decode_chunk_len in its metadata/],
      ['decoder', onnxWith({ vocab_size: '500' }), /decoder-epoch-99-avg-1\.onnx lacks context_size in its metadata/],
    ];
    for (const [part, content, message] of cases) {
      const dir = freshDir();
      writeTestTransducer(dir);
      writeFileSync(join(dir, `${part}-epoch-99-avg-1.onnx`), content);
      refused(dir, message);
    }
    const truncated = freshDir();
    const files = writeTestTransducer(truncated);
    const whole = onnxWith({ model_type: 'lstm' });
    writeFileSync(files.encoder, whole.subarray(0, whole.length - 5));
    refused(truncated, /encoder-epoch-99-avg-1\.onnx is not an ONNX model \(truncated or another format\)/);
  });

  test('a CTC model that is not Zipformer2 (a NeMo export, say) is refused by its metadata', () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'model.onnx'), onnxWith({ model_type: 'EncDecCTCModelBPE', vocab_size: '1024' }));
    writeFileSync(join(dir, 'tokens.txt'), '<blk> 0\n');
    refused(dir, /model\.onnx is not a streaming Zipformer2 CTC model \(its model_type is "EncDecCTCModelBPE"\): its metadata has no encoder_dims/);
  });

  test('readOnnxMetadata finds the metadata after a graph with megabytes of weights, UTF-8 intact', () => {
    const dir = freshDir();
    const weights = new Array(2_000_000).fill(0.5); // an 8 MB initializer
    const file = join(dir, 'big.onnx');
    writeFileSync(file, onnxModel({
      name: 'g', inputs: [{ name: 'x', type: 'float', dims: [1] }], outputs: [{ name: 'y', type: 'float', dims: [1] }],
      nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }], initializers: [{ name: 'w', type: 'float', dims: [weights.length], values: weights }],
      metadata: { model_type: 'zipformer2', comment: 'ñandú ✓' },
    }));
    assert.deepEqual(readOnnxMetadata(file), { metadata: { model_type: 'zipformer2', comment: 'ñandú ✓' }, hasGraph: true });
  });
});
