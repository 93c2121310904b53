// Turns the bytes of a streamed HTTP audio body into 8 kHz PCM chunk by chunk. Network chunks
// split anywhere — inside a 16-bit sample, inside a stereo frame, inside a WAV header — so
// whatever does not make a whole frame is carried to the next chunk instead of being lost
// or shifting every later sample by a byte.

import { Resampler } from '../../lib/audio/resampler.ts';
import { TtsError } from './errors.ts';
import { TTS_OUTPUT_RATE } from './types.ts';

export type WireAudioFormat =
  /** Raw 16-bit little-endian mono PCM (ElevenLabs pcm_*, OpenAI `pcm`). */
  | { encoding: 'pcm_s16le'; sampleRate: number }
  /** G.711 µ-law bytes, one per sample (ElevenLabs ulaw_8000). */
  | { encoding: 'ulaw'; sampleRate: number }
  /** A 16-bit PCM WAV whose header states rate and channels; the data size is ignored (streamed). */
  | { encoding: 'wav' };

const MAX_WAV_HEADER_BYTES = 64 * 1024;

export class AudioStreamDecoder {
  readonly #format: WireAudioFormat;
  readonly #outputRate: number;
  #carry: Uint8Array = new Uint8Array(0);
  /** Known once the WAV header was read (at once for raw formats). */
  #pcm: { sampleRate: number; channels: number } | undefined;
  #resampler: Resampler | undefined;

  constructor(format: WireAudioFormat, outputRate = TTS_OUTPUT_RATE) {
    this.#format = format;
    this.#outputRate = outputRate;
    if (format.encoding !== 'wav') this.#start(format.sampleRate, 1);
  }

  /** The PCM that the bytes so far complete, at the output rate (possibly empty). */
  push(bytes: Uint8Array): Int16Array {
    let data = concat(this.#carry, bytes);
    if (!this.#pcm) {
      const header = parseWavHeader(data);
      if (!header) {
        if (data.length > MAX_WAV_HEADER_BYTES) throw new TtsError('PROTOCOL', 'WAV stream has no data chunk in its first 64 KiB');
        this.#carry = data;
        return new Int16Array(0);
      }
      this.#start(header.sampleRate, header.channels);
      data = data.subarray(header.dataOffset);
    }
    const { samples, rest } = this.#decode(data);
    this.#carry = rest.slice();
    return this.#resampler ? this.#resampler.push(samples) : samples;
  }

  /** The end of the stream: the resampler's tail. A partial last sample is dropped. */
  end(): Int16Array {
    if (!this.#pcm) throw new TtsError('PROTOCOL', 'audio stream ended before its WAV header was complete');
    this.#carry = new Uint8Array(0);
    return this.#resampler ? this.#resampler.flush() : new Int16Array(0);
  }

  #start(sampleRate: number, channels: number): void {
    this.#pcm = { sampleRate, channels };
    this.#resampler = sampleRate === this.#outputRate ? undefined : new Resampler(sampleRate, this.#outputRate);
  }

  #decode(data: Uint8Array): { samples: Int16Array; rest: Uint8Array } {
    if (this.#format.encoding === 'ulaw') return { samples: decodeUlaw(data), rest: new Uint8Array(0) };
    const channels = this.#pcm!.channels;
    const frameBytes = 2 * channels;
    const frames = Math.floor(data.length / frameBytes);
    const samples = new Int16Array(frames);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let f = 0; f < frames; f++) {
      // Several channels are mixed down: a phone line has one.
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += view.getInt16(f * frameBytes + c * 2, true);
      samples[f] = channels === 1 ? sum : Math.round(sum / channels);
    }
    return { samples, rest: data.subarray(frames * frameBytes) };
  }
}

interface WavHeader {
  sampleRate: number;
  channels: number;
  /** Where the samples start. */
  dataOffset: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** The header of a streamed WAV, or undefined while the bytes up to the data chunk have not all arrived. */
export function parseWavHeader(data: Uint8Array): WavHeader | undefined {
  if (data.length < 12) return undefined;
  const text = (at: number) => String.fromCharCode(data[at], data[at + 1], data[at + 2], data[at + 3]);
  if (text(0) !== 'RIFF' || text(8) !== 'WAVE') throw new TtsError('PROTOCOL', 'audio stream is not a RIFF/WAVE file');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let format: { sampleRate: number; channels: number } | undefined;
  for (let at = 12; at + 8 <= data.length; ) {
    const id = text(at);
    const size = view.getUint32(at + 4, true);
    if (id === 'data') {
      if (!format) throw new TtsError('PROTOCOL', 'WAV stream has a data chunk before its fmt chunk');
      return { ...format, dataOffset: at + 8 };
    }
    if (id === 'fmt ') {
      if (at + 8 + 16 > data.length) return undefined;
      format = wavFormat(view, at + 8);
    }
    at += 8 + size + (size % 2); // chunks are padded to even sizes
  }
  return undefined;
}

function wavFormat(view: DataView, at: number): { sampleRate: number; channels: number } {
  const tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const bits = view.getUint16(at + 14, true);
  if ((tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_EXTENSIBLE) || bits !== 16) {
    throw new TtsError('PROTOCOL', `WAV stream is not 16-bit PCM (format ${tag}, ${bits} bits)`);
  }
  if (channels < 1 || sampleRate < 1 || sampleRate > 384_000) {
    throw new TtsError('PROTOCOL', `WAV stream has an impossible format (${channels} channels at ${sampleRate} Hz)`);
  }
  return { sampleRate, channels };
}

const ULAW_TABLE = buildUlawTable();

/** G.711 µ-law to linear, each code to the centre of its interval (the same values sox gives). */
function buildUlawTable(): Int16Array {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) {
    const u = ~code & 0xff;
    const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4)) - 0x84;
    table[code] = u & 0x80 ? -magnitude : magnitude;
  }
  return table;
}

export function decodeUlaw(codes: Uint8Array): Int16Array {
  const out = new Int16Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = ULAW_TABLE[codes[i]];
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
