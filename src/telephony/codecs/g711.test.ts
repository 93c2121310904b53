import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  alawToLinear,
  decodeAlaw,
  decodeUlaw,
  encodeAlaw,
  encodeUlaw,
  g711,
  linearToAlaw,
  linearToUlaw,
  ulawToLinear,
} from './g711.ts';

let dir: string;

/** Runs sox without dither (-D): with it sox adds noise before quantising to 14/13 bits. */
function sox(args: string[]): void {
  execFileSync('sox', ['-D', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function readPcm(path: string): Int16Array {
  const b = readFileSync(path);
  return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function firstMismatch(a: Uint8Array | Int16Array, b: Uint8Array | Int16Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : Math.min(a.length, b.length);
}

/** Every 16-bit sample value once, as raw little-endian PCM. */
function allSamples(): Int16Array {
  const pcm = new Int16Array(65536);
  for (let i = 0; i < 65536; i++) pcm[i] = i - 32768;
  return pcm;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'habla-g711-'));
  execFileSync('espeak-ng', ['-v', 'es', '-w', join(dir, 'es.wav'), 'Hola, le llamo de la clínica para confirmar su cita del martes.']);
  // The fixture is what the telephony path feeds the encoder: 8 kHz mono 16-bit PCM.
  sox([join(dir, 'es.wav'), '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed', '-t', 'raw', join(dir, 'es.s16')]);
  writeFileSync(join(dir, 'all.s16'), new Uint8Array(allSamples().buffer));
});

after(() => rmSync(dir, { recursive: true, force: true }));

const RAW_IN = ['-t', 'raw', '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed'];

for (const law of ['ul', 'al'] as const) {
  const encode = law === 'ul' ? encodeUlaw : encodeAlaw;
  const decode = law === 'ul' ? decodeUlaw : decodeAlaw;
  describe(`G.711 ${law === 'ul' ? 'µ-law' : 'A-law'} against sox`, () => {
    for (const name of ['es', 'all']) {
      it(`encodes ${name === 'es' ? 'Spanish espeak-ng speech' : 'every 16-bit value'} byte-for-byte as sox does`, () => {
        const pcm = readPcm(join(dir, `${name}.s16`));
        assert.ok(pcm.length > 8000, 'fixture has audio');
        sox([...RAW_IN, join(dir, `${name}.s16`), '-t', law, join(dir, `${name}.${law}`)]);
        const expected = new Uint8Array(readFileSync(join(dir, `${name}.${law}`)));
        const ours = encode(pcm);
        assert.equal(firstMismatch(ours, expected), -1, 'first differing sample');
      });
    }

    it('decodes all 256 codes as sox does', () => {
      const codes = new Uint8Array(256).map((_, i) => i);
      writeFileSync(join(dir, `codes.${law}`), codes);
      sox(['-t', law, '-r', '8000', '-c', '1', join(dir, `codes.${law}`), '-b', '16', '-e', 'signed', '-t', 'raw', join(dir, `codes-${law}.s16`)]);
      const expected = readPcm(join(dir, `codes-${law}.s16`));
      assert.equal(firstMismatch(decode(codes), expected), -1);
    });
  });
}

describe('G.711 round trip', () => {
  it('re-encodes every decoded code to itself (decoder outputs are interval centres)', () => {
    for (let c = 0; c < 256; c++) {
      assert.equal(linearToAlaw(alawToLinear(c)), c, `A-law ${c}`);
      // µ-law has two zeros (0x7f, 0xff); -0 encodes as +0.
      if (c !== 0x7f) assert.equal(linearToUlaw(ulawToLinear(c)), c, `µ-law ${c}`);
    }
  });

  it('keeps the error within about half a segment step for every sample', () => {
    for (let x = -32768; x < 32768; x++) {
      const bound = (Math.abs(x) >> 4) + 12;
      const u = ulawToLinear(linearToUlaw(x));
      const a = alawToLinear(linearToAlaw(x));
      if (Math.abs(x) <= 32124) assert.ok(Math.abs(u - x) <= bound, `µ-law ${x} → ${u}`);
      if (Math.abs(x) <= 32256) assert.ok(Math.abs(a - x) <= bound, `A-law ${x} → ${a}`);
    }
  });

  it('clips beyond the largest code instead of wrapping', () => {
    assert.equal(ulawToLinear(linearToUlaw(32767)), 32124);
    assert.equal(ulawToLinear(linearToUlaw(-32768)), -32124);
    assert.equal(alawToLinear(linearToAlaw(32767)), 32256);
    assert.equal(alawToLinear(linearToAlaw(-32768)), -32256);
  });

  it('keeps speech above 35 dB SNR', () => {
    const pcm = readPcm(join(dir, 'es.s16'));
    for (const codec of ['PCMU', 'PCMA'] as const) {
      const { encode, decode } = g711(codec);
      const back = decode(encode(pcm));
      let signal = 0;
      let noise = 0;
      for (let i = 0; i < pcm.length; i++) {
        signal += pcm[i] * pcm[i];
        noise += (pcm[i] - back[i]) ** 2;
      }
      const snr = 10 * Math.log10(signal / noise);
      assert.ok(snr > 35, `${codec} SNR ${snr.toFixed(1)} dB`);
    }
  });

  it('encodes silence as the codec silence byte and reuses caller buffers', () => {
    const frame = new Int16Array(160);
    const out = new Uint8Array(160);
    assert.equal(g711('PCMU').encode(frame, out), out);
    assert.ok(out.every((b) => b === 0xff));
    assert.ok(g711('PCMA').encode(frame).every((b) => b === g711('PCMA').silence));
    assert.throws(() => encodeUlaw(frame, new Uint8Array(10)), RangeError);
  });
});
