import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildRtpStream, type RtpSegment } from './rtp-pcap.ts';

// Real audio for the SIP peers: espeak-ng speech converted by sox to what each peer plays
// (sipp rtp_stream: raw µ-law; baresip aufile: 8 kHz mono 16-bit WAV), pcap captures of an RTP
// stream with RFC 4733 DTMF for sipp's play_pcap_audio, and a small analysis of what a peer
// recorded so tests can assert that speech (not silence) arrived.

const run = promisify(execFile);

export const SAMPLE_RATE = 8000;

function fixtureName(text: string, voice: string, ext: string): string {
  const digest = createHash('sha1').update(`${voice}\n${text}`).digest('hex').slice(0, 12);
  return `tts-${voice}-${digest}.${ext}`;
}

/** espeak-ng speech as an 8 kHz mono signed 16-bit WAV (what baresip's aufile source needs). */
export async function espeakToWav(text: string, voice = 'es', dir: string): Promise<string> {
  const out = path.join(dir, fixtureName(text, voice, 'wav'));
  if (fs.existsSync(out)) return out;
  const raw = `${out}.espeak.wav`;
  await run('espeak-ng', ['-v', voice, '-w', raw, text]);
  await run('sox', [raw, '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', out]);
  fs.rmSync(raw, { force: true });
  return out;
}

/**
 * espeak-ng speech as a headerless µ-law 8 kHz mono file: sipp's `rtp_stream` sends the bytes
 * as they are, so a WAV header would be heard as a click of noise.
 */
export async function espeakToUlaw(text: string, voice = 'es', dir: string): Promise<string> {
  const out = path.join(dir, fixtureName(text, voice, 'ulaw'));
  if (fs.existsSync(out)) return out;
  const wav = await espeakToWav(text, voice, dir);
  await run('sox', [wav, '-r', String(SAMPLE_RATE), '-c', '1', '-t', 'ul', out]);
  return out;
}

/** Converts any WAV sox reads to 8 kHz mono 16-bit, optionally followed by `padMs` of silence. */
export async function toBaresipWav(input: string, output: string, padMs = 0): Promise<string> {
  const pad = padMs > 0 ? ['pad', '0', (padMs / 1000).toFixed(3)] : [];
  await run('sox', [input, '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', output, ...pad]);
  return output;
}

/** `ms` of digital silence as an 8 kHz mono 16-bit WAV. */
export async function silenceWav(output: string, ms: number): Promise<string> {
  await run('sox', ['-n', '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', '-e', 'signed-integer', output, 'trim', '0', (ms / 1000).toFixed(3)]);
  return output;
}

export interface DtmfPcapOptions {
  /** Raw µ-law audio (a path or the bytes) sent as PCMU before the digits, e.g. espeakToUlaw(). */
  leadingAudio?: string | Buffer;
  /** Silence (PCMU) before the digits and after the leading audio. Default 200. */
  leadingSilenceMs?: number;
  /** How long each key is held. Default 120. */
  digitMs?: number;
  /** Silence between two digits. Default 120. */
  gapMs?: number;
  /** Silence after the last digit. Default 200. */
  trailingSilenceMs?: number;
  /** telephone-event payload type (must match the SDP). Default 101. */
  eventPayloadType?: number;
  /** RFC 4733 volume field, in -dBm0. Default 10. */
  volume?: number;
}

export interface PcapInfo {
  path: string;
  packets: number;
  /** How long sipp takes to play it (it paces packets by their capture timestamps). */
  durationMs: number;
}

/**
 * Writes a pcap that sipp's `play_pcap_audio` replays: one RTP stream (one SSRC, continuous
 * sequence numbers and timestamps) of optional PCMU audio, silence, then each digit as RFC 4733
 * telephone-event packets (first with the marker bit, duration growing every 20 ms, the end
 * packet sent three times), with silence between digits. sipp rewrites only the UDP ports and
 * addresses; everything in the RTP packets reaches the far end as written here.
 */
export function writeDtmfPcap(file: string, digits: string, opts: DtmfPcapOptions = {}): PcapInfo {
  const segments: RtpSegment[] = [];
  if (opts.leadingAudio !== undefined) {
    const audio = typeof opts.leadingAudio === 'string' ? fs.readFileSync(opts.leadingAudio) : opts.leadingAudio;
    segments.push({ kind: 'audio', ulaw: audio });
  }
  segments.push({ kind: 'silence', ms: opts.leadingSilenceMs ?? 200 });
  [...digits].forEach((digit, i) => {
    if (i > 0) segments.push({ kind: 'silence', ms: opts.gapMs ?? 120 });
    segments.push({ kind: 'digit', digit, ms: opts.digitMs ?? 120, volume: opts.volume ?? 10 });
  });
  segments.push({ kind: 'silence', ms: opts.trailingSilenceMs ?? 200 });
  return writeRtpPcap(file, segments, opts.eventPayloadType ?? 101);
}

/** Writes any sequence of audio / silence / digit segments as one RTP stream in a pcap. */
export function writeRtpPcap(file: string, segments: RtpSegment[], eventPayloadType = 101): PcapInfo {
  const stream = buildRtpStream(segments, { eventPayloadType });
  fs.writeFileSync(file, stream.pcap);
  return { path: file, packets: stream.packets, durationMs: stream.durationMs };
}

export interface WavAnalysis {
  durationMs: number;
  /** Milliseconds of 20 ms frames whose RMS is above the threshold (speech, tones). */
  activeMs: number;
  /** RMS of the whole file, full scale = 32768. */
  rms: number;
}

/**
 * Reads a 16-bit PCM WAV (as baresip's sndfile module writes) and measures how much of it is not
 * silence, so a test can assert that the far end's audio really arrived.
 */
export function analyseWav(file: string, thresholdRms = 500): WavAnalysis {
  const data = fs.readFileSync(file);
  const { offset, length, sampleRate, channels } = wavDataChunk(data);
  const samples = Math.floor(length / 2 / channels);
  const frame = Math.round(sampleRate * 0.02);
  let sumSquares = 0;
  let activeFrames = 0;
  for (let start = 0; start < samples; start += frame) {
    let frameSum = 0;
    const end = Math.min(samples, start + frame);
    for (let i = start; i < end; i++) {
      const s = data.readInt16LE(offset + i * 2 * channels);
      frameSum += s * s;
    }
    sumSquares += frameSum;
    if (Math.sqrt(frameSum / (end - start)) > thresholdRms) activeFrames++;
  }
  return {
    durationMs: Math.round((samples / sampleRate) * 1000),
    activeMs: activeFrames * 20,
    rms: samples ? Math.sqrt(sumSquares / samples) : 0,
  };
}

function wavDataChunk(data: Buffer): { offset: number; length: number; sampleRate: number; channels: number } {
  if (data.toString('ascii', 0, 4) !== 'RIFF' || data.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a WAV file');
  let pos = 12;
  let sampleRate = SAMPLE_RATE;
  let channels = 1;
  while (pos + 8 <= data.length) {
    const id = data.toString('ascii', pos, pos + 4);
    const size = data.readUInt32LE(pos + 4);
    if (id === 'fmt ') {
      if (data.readUInt16LE(pos + 8) !== 1 || data.readUInt16LE(pos + 22) !== 16) throw new Error('WAV is not 16-bit PCM');
      channels = data.readUInt16LE(pos + 10);
      sampleRate = data.readUInt32LE(pos + 12);
    }
    // A writer killed mid-call leaves the data size at 0 or too big: take what is there.
    if (id === 'data') return { offset: pos + 8, length: Math.min(size || Infinity, data.length - pos - 8), sampleRate, channels };
    pos += 8 + size + (size % 2);
  }
  throw new Error('WAV has no data chunk');
}
