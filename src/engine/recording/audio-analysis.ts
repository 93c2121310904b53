// Measurements on 16-bit PCM, for checking recordings: how loud a stretch is, and where a
// channel has sound (speech or tone) versus silence. Energy based, so "active" means "louder
// than the threshold", not "contains speech"; enough to tell who spoke when in a recording.

const FULL_SCALE = 32768;

/** Root mean square of samples[from, to) (indices, as slice() takes them); 0 when empty. */
export function rms(samples: Int16Array, from = 0, to = samples.length): number {
  const start = Math.max(0, from);
  const end = Math.min(samples.length, to);
  if (end <= start) return 0;
  let sum = 0;
  for (let i = start; i < end; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / (end - start));
}

/** Level relative to full scale; -Infinity for digital silence. A full-scale sine is about -3 dBFS. */
export function toDbfs(rmsValue: number): number {
  return rmsValue === 0 ? -Infinity : 20 * Math.log10(rmsValue / FULL_SCALE);
}

export interface ActivityOptions {
  sampleRate: number;
  /** Analysis frame length. */
  frameMs?: number;
  /** A frame is active when its RMS is at or above this level (dBFS). */
  thresholdDb?: number;
  /** Silences shorter than this between active frames do not split a segment (pauses within speech). */
  minSilenceMs?: number;
}

export interface Segment {
  startMs: number;
  endMs: number;
}

/** Stretches of the channel whose level reaches the threshold, in milliseconds from the start. */
export function activeSegments(samples: Int16Array, options: ActivityOptions): Segment[] {
  const { sampleRate, frameMs = 20, thresholdDb = -40, minSilenceMs = 200 } = options;
  if (!(sampleRate > 0) || !(frameMs > 0)) throw new RangeError('sampleRate and frameMs must be positive');
  const frameSamples = Math.max(1, Math.round((sampleRate * frameMs) / 1000));
  const toMs = (sampleIndex: number) => (sampleIndex * 1000) / sampleRate;
  const segments: Segment[] = [];
  let current: Segment | undefined;
  for (let start = 0; start < samples.length; start += frameSamples) {
    const end = Math.min(samples.length, start + frameSamples);
    if (toDbfs(rms(samples, start, end)) < thresholdDb) continue;
    const frame = { startMs: toMs(start), endMs: toMs(end) };
    if (current && frame.startMs - current.endMs < minSilenceMs) {
      current.endMs = frame.endMs;
    } else {
      current = frame;
      segments.push(current);
    }
  }
  return segments;
}
