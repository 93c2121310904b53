// 16-bit PCM WAV: the header we write for recordings and a reader for WAV produced by
// us, espeak-ng and sox. Lives in lib/ because recordings (engine/) and local TTS (voice/)
// both need it, and those two may not import each other.

export const WAV_HEADER_BYTES = 44;

/** Largest data size a RIFF header can state (its 32-bit RIFF size is data + 36). */
export const MAX_WAV_DATA_BYTES = 0xffffffff - 36;

export interface PcmFormat {
  channels: number;
  sampleRate: number;
}

/** The canonical 44-byte header of a 16-bit PCM WAV with `dataBytes` bytes of samples. */
export function pcmWavHeader(format: PcmFormat, dataBytes: number): Buffer {
  const blockAlign = format.channels * 2;
  const data = Math.min(dataBytes, MAX_WAV_DATA_BYTES);
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(data + 36, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.sampleRate, 24);
  header.writeUInt32LE(format.sampleRate * blockAlign, 28); // byte rate
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data, 40);
  return header;
}

export interface WavAudio {
  sampleRate: number;
  bitsPerSample: 16;
  /** One array per channel, de-interleaved (stereo recordings: [caller, agent]). */
  channels: Int16Array[];
  /** Sizes as the header states them, for checking what a writer patched. */
  declaredRiffSize: number;
  declaredDataSize: number;
  /** Where the samples start in the buffer. */
  dataOffset: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/**
 * Parses a 16-bit PCM WAV held in memory. Chunks other than `fmt ` and `data` are skipped.
 * A data size of 0 or one larger than what follows (streaming writers such as
 * `espeak-ng --stdout` put 0x7fffffff there, and a crashed recorder leaves its placeholder)
 * means "until the end of the buffer", cut to whole sample frames.
 */
export function readWav(buffer: Buffer): WavAudio {
  if (buffer.length < 12 || buffer.toString('ascii', 0, 4) !== 'RIFF' || buffer.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let offset = 12;
  let format: { channels: number; sampleRate: number } | undefined;
  while (offset + 8 <= buffer.length) {
    const id = buffer.toString('ascii', offset, offset + 4);
    const size = buffer.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = parseFormat(buffer, body, size);
    } else if (id === 'data') {
      if (!format) throw new Error('WAV data chunk before its fmt chunk');
      return {
        sampleRate: format.sampleRate,
        bitsPerSample: 16,
        channels: deinterleave(buffer, body, dataLength(buffer, body, size, format.channels), format.channels),
        declaredRiffSize: buffer.readUInt32LE(4),
        declaredDataSize: size,
        dataOffset: body,
      };
    }
    offset = body + size + (size & 1); // chunks are padded to even sizes
  }
  throw new Error('WAV without a data chunk');
}

function parseFormat(buffer: Buffer, at: number, size: number): { channels: number; sampleRate: number } {
  if (size < 16 || at + 16 > buffer.length) throw new Error('truncated WAV fmt chunk');
  let tag = buffer.readUInt16LE(at);
  const channels = buffer.readUInt16LE(at + 2);
  const sampleRate = buffer.readUInt32LE(at + 4);
  const bits = buffer.readUInt16LE(at + 14);
  // Extensible headers carry the real format as the first two bytes of a sub-format GUID.
  if (tag === WAVE_FORMAT_EXTENSIBLE && size >= 26 && at + 26 <= buffer.length) tag = buffer.readUInt16LE(at + 24);
  if (tag !== WAVE_FORMAT_PCM || bits !== 16) throw new Error(`unsupported WAV format (tag ${tag}, ${bits} bits): need 16-bit PCM`);
  if (channels < 1 || sampleRate < 1) throw new Error('WAV with no channels or no sample rate');
  return { channels, sampleRate };
}

function dataLength(buffer: Buffer, at: number, declared: number, channels: number): number {
  const available = buffer.length - at;
  const length = declared === 0 || declared > available ? available : declared;
  const frameBytes = channels * 2;
  return length - (length % frameBytes);
}

function deinterleave(buffer: Buffer, at: number, length: number, channelCount: number): Int16Array[] {
  const frames = length / (channelCount * 2);
  const channels = Array.from({ length: channelCount }, () => new Int16Array(frames));
  let position = at;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channelCount; c++) {
      channels[c][i] = buffer.readInt16LE(position);
      position += 2;
    }
  }
  return channels;
}
