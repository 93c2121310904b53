import assert from 'node:assert/strict';
import { synthesizeEspeak } from '../tts/espeak.ts';
import { VAD_SAMPLE_RATE, type Vad, type VadEvent } from './vad.ts';

// Test audio for the detectors: real espeak-ng speech at 8 kHz between known silences, and
// where the speech really is, measured on the audio itself. Used by the tests and bench/vad.ts.

/** Two caller turns in Spanish; the commas give short pauses inside each turn. */
export const SPANISH_TURNS = ['Buenos días, quería saber el estado de mi pedido.', 'Sí, el número es cuatro cinco seis.'];

export interface Segment {
  startMs: number;
  endMs: number;
}

export interface SpeechFixture {
  pcm: Int16Array;
  /** Where each utterance's sound begins and ends in `pcm`, from its own energy. */
  speech: Segment[];
}

export interface SpeechFixtureOptions {
  utterances: string[];
  /** Silence before the first utterance, between each pair, and after the last: utterances + 1 values. */
  silencesMs: number[];
  voice?: string;
  /** White noise over the whole clip at this RMS level in dBFS (e.g. -50), or none. */
  noiseDbfs?: number;
  seed?: number;
}

const ACTIVITY_FRAME = 80; // 10 ms at 8 kHz
/**
 * A 10 ms frame this loud is sound. espeak-ng pads its clips with digital silence, and some
 * word ends (the /s/ of "seis") stay near -50 dBFS for 100 ms, so the bar sits well below.
 */
const ACTIVITY_DBFS = -60;

export async function buildSpeechFixture(options: SpeechFixtureOptions): Promise<SpeechFixture> {
  const { utterances, silencesMs } = options;
  if (silencesMs.length !== utterances.length + 1) throw new RangeError('one more silence than utterances');
  const clips = await Promise.all(utterances.map((text) => synthesizeEspeak(text, { voice: options.voice ?? 'es' })));
  const parts: Int16Array[] = [];
  const speech: Segment[] = [];
  let at = 0;
  const append = (pcm: Int16Array) => {
    parts.push(pcm);
    at += pcm.length;
  };
  append(silence(silencesMs[0]));
  clips.forEach((clip, i) => {
    const active = activeSpan(clip);
    speech.push({ startMs: toMs(at + active.first), endMs: toMs(at + active.end) });
    append(clip);
    append(silence(silencesMs[i + 1]));
  });
  const pcm = concat(parts);
  if (options.noiseDbfs !== undefined) addWhiteNoise(pcm, options.noiseDbfs, options.seed ?? 1);
  return { pcm, speech };
}

export function silence(ms: number): Int16Array {
  return new Int16Array(Math.round((ms * VAD_SAMPLE_RATE) / 1000));
}

export function tone(hz: number, ms: number, dbfs: number): Int16Array {
  const amplitude = 32768 * Math.SQRT2 * 10 ** (dbfs / 20); // sine RMS = peak / √2
  const out = new Int16Array(Math.round((ms * VAD_SAMPLE_RATE) / 1000));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / VAD_SAMPLE_RATE));
  return out;
}

/** Adds seeded uniform white noise at `dbfs` RMS, in place. */
export function addWhiteNoise(pcm: Int16Array, dbfs: number, seed: number): void {
  const random = mulberry32(seed);
  const peak = 32768 * Math.sqrt(3) * 10 ** (dbfs / 20); // uniform RMS = peak / √3
  for (let i = 0; i < pcm.length; i++) {
    pcm[i] = Math.max(-32768, Math.min(32767, Math.round(pcm[i] + (random() * 2 - 1) * peak)));
  }
}

/** Cuts audio into frames of `samples` (20 ms = 160), as CallAudio delivers it. */
export function* frames(pcm: Int16Array, samples = 160): Generator<Int16Array> {
  for (let i = 0; i < pcm.length; i += samples) yield pcm.subarray(i, Math.min(pcm.length, i + samples));
}

/** Feeds `pcm` to a detector in 20 ms frames, one at a time, and collects its events. */
export async function detect(vad: Vad, pcm: Int16Array): Promise<VadEvent[]> {
  const events: VadEvent[] = [];
  for (const frame of frames(pcm)) events.push(...(await vad.process(frame)));
  return events;
}

/** Pairs speech_start/speech_end events into segments; an unfinished one ends at Infinity. */
export function segmentsOf(events: VadEvent[]): Segment[] {
  const segments: Segment[] = [];
  for (const event of events) {
    if (event.type === 'speech_start') segments.push({ startMs: event.atMs, endMs: Infinity });
    else segments[segments.length - 1].endMs = event.atMs;
  }
  return segments;
}

/** Asserts one detected segment per utterance, each boundary within `toleranceMs` of the truth. */
export function assertSegmentsNear(actual: Segment[], expected: Segment[], toleranceMs = 150): void {
  const show = (s: Segment[]) => s.map((x) => `${Math.round(x.startMs)}–${Math.round(x.endMs)}`).join(', ');
  assert.equal(actual.length, expected.length, `segments ${show(actual)} vs speech at ${show(expected)}`);
  actual.forEach((segment, i) => {
    const message = `segment ${i}: ${show([segment])} vs speech at ${show([expected[i]])} (±${toleranceMs} ms)`;
    assert.ok(Math.abs(segment.startMs - expected[i].startMs) <= toleranceMs, message);
    assert.ok(Math.abs(segment.endMs - expected[i].endMs) <= toleranceMs, message);
  });
}

function activeSpan(clip: Int16Array): { first: number; end: number } {
  const limit = 32768 * 10 ** (ACTIVITY_DBFS / 20);
  let first = -1;
  let end = -1;
  for (let start = 0; start < clip.length; start += ACTIVITY_FRAME) {
    const stop = Math.min(clip.length, start + ACTIVITY_FRAME);
    let sum = 0;
    for (let i = start; i < stop; i++) sum += clip[i] * clip[i];
    if (Math.sqrt(sum / (stop - start)) < limit) continue;
    if (first < 0) first = start;
    end = stop;
  }
  if (first < 0) throw new Error('espeak-ng produced a silent clip');
  return { first, end };
}

function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function toMs(samples: number): number {
  return (samples * 1000) / VAD_SAMPLE_RATE;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
