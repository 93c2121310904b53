import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pcmWavHeader, readWav } from './wav.ts';

function samplesLE(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => b.writeInt16LE(v, i * 2));
  return b;
}

function chunk(id: string, body: Buffer, declaredSize = body.length): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 'ascii');
  head.writeUInt32LE(declaredSize, 4);
  return Buffer.concat([head, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

function fmt(channels: number, rate: number, tag = 1, bits = 16): Buffer {
  const b = Buffer.alloc(tag === 0xfffe ? 40 : 16);
  b.writeUInt16LE(tag, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE(rate * channels * (bits / 8), 8);
  b.writeUInt16LE(channels * (bits / 8), 12);
  b.writeUInt16LE(bits, 14);
  if (tag === 0xfffe) {
    b.writeUInt16LE(22, 16);
    b.writeUInt16LE(1, 24); // KSDATAFORMAT_SUBTYPE_PCM starts with 0x0001
  }
  return b;
}

function riff(...chunks: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from('WAVE'), ...chunks]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'ascii');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

describe('readWav', () => {
  test('round-trips our own header: stereo de-interleaved', () => {
    const data = samplesLE(1, -1, 2, -2, 3, -3);
    const wav = readWav(Buffer.concat([pcmWavHeader({ channels: 2, sampleRate: 8000 }, data.length), data]));
    assert.equal(wav.sampleRate, 8000);
    assert.deepEqual(wav.channels, [Int16Array.from([1, 2, 3]), Int16Array.from([-1, -2, -3])]);
    assert.equal(wav.declaredDataSize, 12);
    assert.equal(wav.declaredRiffSize, 48);
  });

  test('streaming sizes (espeak-ng --stdout writes 0x7fffffff) and 0 mean "to the end", whole frames only', () => {
    const data = samplesLE(10, 20, 30);
    for (const declared of [0x7fffffff, 0]) {
      const head = chunk('data', Buffer.alloc(0), declared);
      // A stream cut mid-sample leaves an odd trailing byte.
      const wav = readWav(Buffer.concat([riff(chunk('fmt ', fmt(1, 22050))), head, data, Buffer.from([7])]));
      assert.equal(wav.sampleRate, 22050);
      assert.deepEqual(wav.channels[0], Int16Array.from([10, 20, 30]));
    }
  });

  test('skips other chunks (LIST, odd-sized with padding) and stops at the declared data size', () => {
    const wav = readWav(riff(chunk('fmt ', fmt(1, 16000)), chunk('LIST', Buffer.from('abc')), chunk('data', samplesLE(5, 6)), chunk('junk', Buffer.alloc(4))));
    assert.deepEqual(wav.channels[0], Int16Array.from([5, 6]));
  });

  test('accepts WAVE_FORMAT_EXTENSIBLE with a PCM sub-format', () => {
    const wav = readWav(riff(chunk('fmt ', fmt(1, 48000, 0xfffe)), chunk('data', samplesLE(-7))));
    assert.deepEqual(wav.channels[0], Int16Array.from([-7]));
  });

  test('rejects what it cannot read', () => {
    assert.throws(() => readWav(Buffer.from('not a wav file at all')), /RIFF/);
    assert.throws(() => readWav(riff(chunk('fmt ', fmt(1, 8000, 3, 32)), chunk('data', Buffer.alloc(8)))), /16-bit PCM/);
    assert.throws(() => readWav(riff(chunk('fmt ', fmt(1, 8000, 1, 8)), chunk('data', Buffer.alloc(8)))), /16-bit PCM/);
    assert.throws(() => readWav(riff(chunk('data', samplesLE(1)))), /before its fmt/);
    assert.throws(() => readWav(riff(chunk('fmt ', fmt(1, 8000)))), /without a data chunk/);
  });
});
