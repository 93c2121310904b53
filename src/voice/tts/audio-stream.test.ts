import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { resample } from '../../lib/audio/resampler.ts';
import { pcmWavHeader } from '../../lib/audio/wav.ts';
import { concatPcm, pcmBytes, sineTone, toneShare } from '../../../test/helpers/tone.ts';
import { AudioStreamDecoder, decodeUlaw, type WireAudioFormat } from './audio-stream.ts';
import { TtsError } from './errors.ts';

/** Feeds `bytes` to a decoder in pieces of the given sizes (cycled), then ends it. */
function decodeInPieces(format: WireAudioFormat, bytes: Uint8Array, sizes: number[]): { chunks: Int16Array[]; pcm: Int16Array } {
  const decoder = new AudioStreamDecoder(format);
  const chunks: Int16Array[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    chunks.push(decoder.push(bytes.subarray(at, at + size)));
    at += size;
  }
  chunks.push(decoder.end());
  return { chunks, pcm: concatPcm(chunks) };
}

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (error: unknown) => error instanceof TtsError && error.code === code);
}

describe('AudioStreamDecoder', () => {
  test('24 kHz PCM cut at odd byte boundaries gives exactly the one-shot 8 kHz conversion', () => {
    const source = sineTone(1000, 24_000, 500);
    const expected = resample(source, 24_000, 8000);
    const { chunks, pcm } = decodeInPieces({ encoding: 'pcm_s16le', sampleRate: 24_000 }, pcmBytes(source), [1, 333, 7, 4096, 2, 999]);
    assert.deepEqual(pcm, expected);
    assert.ok(chunks.filter((c) => c.length > 0).length > 10, 'output comes out as the input arrives, not at the end');
    assert.ok(toneShare(pcm, 1000, 8000) > 0.95);
  });

  test('8 kHz PCM passes through unchanged, whatever the split', () => {
    const source = sineTone(440, 8000, 200);
    assert.deepEqual(decodeInPieces({ encoding: 'pcm_s16le', sampleRate: 8000 }, pcmBytes(source), [3, 1, 5]).pcm, source);
  });

  test('µ-law decodes to the G.711 interval centres', () => {
    assert.deepEqual([...decodeUlaw(Uint8Array.from([0xff, 0x7f, 0x00, 0x80, 0xfe, 0x7e]))], [0, 0, -32124, 32124, 8, -8]);
    // Monotone over each half: a corrupted table would show as a tone with harmonics.
    const positive = decodeUlaw(Uint8Array.from({ length: 128 }, (_, i) => 0xff - i));
    for (let i = 1; i < 128; i++) assert.ok(positive[i] > positive[i - 1]);
    const { pcm } = decodeInPieces({ encoding: 'ulaw', sampleRate: 8000 }, Uint8Array.from([0xff, 0x00, 0x80]), [1]);
    assert.deepEqual([...pcm], [0, -32124, 32124]);
  });

  test('a streamed WAV: header split byte by byte, stereo 16 kHz, unknown data size', () => {
    const left = sineTone(1000, 16_000, 300);
    const interleaved = new Int16Array(left.length * 2);
    for (let i = 0; i < left.length; i++) {
      interleaved[2 * i] = left[i];
      interleaved[2 * i + 1] = left[i];
    }
    const header = pcmWavHeader({ channels: 2, sampleRate: 16_000 }, 0xffffffff);
    const wav = Buffer.concat([header, pcmBytes(interleaved)]);
    const { pcm } = decodeInPieces({ encoding: 'wav' }, wav, [1, 1, 1, 3, 2, 5, 8, 13, 21, 997]);
    assert.deepEqual(pcm, resample(left, 16_000, 8000));
  });

  test('WAV chunks before fmt/data (LIST) are skipped, odd-sized ones with their pad byte', () => {
    const samples = sineTone(500, 8000, 100);
    const canonical = pcmWavHeader({ channels: 1, sampleRate: 8000 }, samples.length * 2);
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc'), Buffer.from([0])]);
    const wav = Buffer.concat([canonical.subarray(0, 36), list, canonical.subarray(36), pcmBytes(samples)]);
    assert.deepEqual(decodeInPieces({ encoding: 'wav' }, wav, [7]).pcm, samples);
  });

  test('what is not the audio asked for is a PROTOCOL error', () => {
    throwsCode(() => new AudioStreamDecoder({ encoding: 'wav' }).push(Buffer.from('{"error":"quota exceeded"}')), 'PROTOCOL');
    const float = pcmWavHeader({ channels: 1, sampleRate: 8000 }, 0);
    float.writeUInt16LE(3, 20); // IEEE float
    throwsCode(() => new AudioStreamDecoder({ encoding: 'wav' }).push(float), 'PROTOCOL');
    const partial = new AudioStreamDecoder({ encoding: 'wav' });
    assert.equal(partial.push(pcmWavHeader({ channels: 1, sampleRate: 8000 }, 0).subarray(0, 30)).length, 0);
    throwsCode(() => partial.end(), 'PROTOCOL');
  });

  test('a trailing half sample is dropped, not turned into noise', () => {
    const decoder = new AudioStreamDecoder({ encoding: 'pcm_s16le', sampleRate: 8000 });
    assert.deepEqual([...decoder.push(Uint8Array.from([0x10, 0x00, 0x20]))], [16]);
    assert.equal(decoder.end().length, 0);
  });
});
