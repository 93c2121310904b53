/**
 * ITU-T G.711 µ-law (PCMU, RTP payload type 0) and A-law (PCMA, payload type 8).
 *
 * The bit manipulation follows the Sun Microsystems reference (g711.c) as sox ships it, so
 * our bytes are sox's bytes (tested on every 16-bit value). Encoders round 16-bit PCM to the
 * codec's uniform precision (µ-law 14 bits, A-law 13) — to nearest, clipping at the top, as
 * sox does, rather than truncating, which halves the quantisation bias — then code sign,
 * 3-bit segment and 4-bit mantissa with the standard segment end points. Decoders map each
 * code to the centre of its quantisation interval, as the G.711 tables do.
 *
 * Kept deliberately to stay byte-identical with sox: for negative input the µ-law encoder
 * negates (`-x`) where the ITU G.191 reference takes the one's complement (`~x`). The two
 * differ by one step for a few negative values at interval edges; both are within G.711.
 *
 * Encoding runs on 64 KiB lookup tables built once on first use: one array index per
 * sample, which matters when hundreds of calls are encoded on one core.
 */

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 8159; // largest 14-bit magnitude µ-law can represent, after the bias
const ULAW_SEG_END = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff];
const ALAW_SEG_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function segment(value: number, ends: readonly number[]): number {
  for (let i = 0; i < ends.length; i++) if (value <= ends[i]) return i;
  return ends.length;
}

/** Encodes one 16-bit PCM sample as a µ-law byte (computed, not looked up). */
export function linearToUlaw(sample: number): number {
  let pcm = Math.min((sample + 2) >> 2, 0x1fff); // rounded to 14 bits
  let mask = 0xff;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  }
  if (pcm > ULAW_CLIP) pcm = ULAW_CLIP;
  pcm += ULAW_BIAS >> 2;
  const seg = segment(pcm, ULAW_SEG_END);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((pcm >> (seg + 1)) & 0xf)) ^ mask;
}

/** Decodes one µ-law byte to a 16-bit PCM sample. */
export function ulawToLinear(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & 0x0f) << 3) + ULAW_BIAS;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? ULAW_BIAS - t : t - ULAW_BIAS;
}

/** Encodes one 16-bit PCM sample as an A-law byte (computed, not looked up). */
export function linearToAlaw(sample: number): number {
  let pcm = Math.min((sample + 4) >> 3, 0xfff); // rounded to 13 bits
  let mask = 0xd5; // even bits inverted, sign bit set for positive values
  if (pcm < 0) {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = segment(pcm, ALAW_SEG_END);
  if (seg >= 8) return 0x7f ^ mask;
  const quant = seg < 2 ? (pcm >> 1) & 0xf : (pcm >> seg) & 0xf;
  return ((seg << 4) | quant) ^ mask;
}

/** Decodes one A-law byte to a 16-bit PCM sample. */
export function alawToLinear(code: number): number {
  const a = (code ^ 0x55) & 0xff;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

interface Tables {
  ulawEncode: Uint8Array;
  alawEncode: Uint8Array;
  ulawDecode: Int16Array;
  alawDecode: Int16Array;
}

let tables: Tables | undefined;

function getTables(): Tables {
  if (tables) return tables;
  const ulawEncode = new Uint8Array(65536);
  const alawEncode = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) {
    const sample = (i << 16) >> 16; // index is the sample's 16-bit pattern
    ulawEncode[i] = linearToUlaw(sample);
    alawEncode[i] = linearToAlaw(sample);
  }
  const ulawDecode = new Int16Array(256);
  const alawDecode = new Int16Array(256);
  for (let c = 0; c < 256; c++) {
    ulawDecode[c] = ulawToLinear(c);
    alawDecode[c] = alawToLinear(c);
  }
  tables = { ulawEncode, alawEncode, ulawDecode, alawDecode };
  return tables;
}

function encodeWith(table: Uint8Array, pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const dst = out ?? new Uint8Array(pcm.length);
  if (dst.length < pcm.length) throw new RangeError('output buffer shorter than input');
  for (let i = 0; i < pcm.length; i++) dst[i] = table[pcm[i] & 0xffff];
  return dst;
}

function decodeWith(table: Int16Array, codes: Uint8Array, out?: Int16Array): Int16Array {
  const dst = out ?? new Int16Array(codes.length);
  if (dst.length < codes.length) throw new RangeError('output buffer shorter than input');
  for (let i = 0; i < codes.length; i++) dst[i] = table[codes[i]];
  return dst;
}

/** PCM → µ-law bytes. `out` lets the caller reuse a frame buffer. */
export function encodeUlaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  return encodeWith(getTables().ulawEncode, pcm, out);
}

/** µ-law bytes → PCM. */
export function decodeUlaw(codes: Uint8Array, out?: Int16Array): Int16Array {
  return decodeWith(getTables().ulawDecode, codes, out);
}

/** PCM → A-law bytes. */
export function encodeAlaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  return encodeWith(getTables().alawEncode, pcm, out);
}

/** A-law bytes → PCM. */
export function decodeAlaw(codes: Uint8Array, out?: Int16Array): Int16Array {
  return decodeWith(getTables().alawDecode, codes, out);
}

export type G711Codec = 'PCMU' | 'PCMA';

/** Codec by SDP encoding name, so media code can stay codec-agnostic. */
export function g711(codec: G711Codec): {
  encode: (pcm: Int16Array, out?: Uint8Array) => Uint8Array;
  decode: (codes: Uint8Array, out?: Int16Array) => Int16Array;
  /** The code for digital silence (what comfort-noise-free playout sends). */
  silence: number;
} {
  return codec === 'PCMU'
    ? { encode: encodeUlaw, decode: decodeUlaw, silence: 0xff }
    : { encode: encodeAlaw, decode: decodeAlaw, silence: 0xd5 };
}
