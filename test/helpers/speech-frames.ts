import { synthesizeEspeak } from '../../src/voice/tts/espeak.ts';

// Real caller audio for STT tests: espeak-ng speech at 8 kHz (what RTP delivers after G.711
// decoding), cut into the 20 ms frames the pipeline pushes.

export const FRAME_SAMPLES = 160;

const clips = new Map<string, Promise<Int16Array>>();

/** espeak-ng speaking `text`, 8 kHz mono 16-bit; synthesised once per process. */
export function speech(text: string, voice = 'es'): Promise<Int16Array> {
  const key = `${voice}\n${text}`;
  let clip = clips.get(key);
  if (!clip) {
    clip = synthesizeEspeak(text, { voice });
    clips.set(key, clip);
  }
  return clip;
}

export function silence(ms: number): Int16Array {
  return new Int16Array(Math.round((ms * 8000) / 1000));
}

/** 20 ms frames (the last one may be shorter). */
export function frames(...parts: Int16Array[]): Int16Array[] {
  const out: Int16Array[] = [];
  for (const pcm of parts) for (let i = 0; i < pcm.length; i += FRAME_SAMPLES) out.push(pcm.slice(i, i + FRAME_SAMPLES));
  return out;
}

/**
 * Pushes frames `everyMs` apart (20: real time, as a call delivers them; default 2, ten times
 * faster, still letting sockets deliver results between frames; 0: all at once).
 */
export async function pushFrames(stream: { push(frame: Int16Array): void }, list: Int16Array[], options: { everyMs?: number } = {}): Promise<void> {
  const everyMs = options.everyMs ?? 2;
  const started = performance.now();
  for (const [i, frame] of list.entries()) {
    stream.push(frame);
    if (everyMs > 0) {
      const due = started + (i + 1) * everyMs - performance.now();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due)));
    }
  }
}

export interface ResultReader<T> {
  /** The next result, or undefined when the stream ended. */
  next(): Promise<T | undefined>;
  /** Results up to and including the next final. */
  untilFinal(): Promise<{ interims: T[]; final: T }>;
  /** Everything until the stream ends. */
  rest(): Promise<T[]>;
}

/** Reads a results() iterable in steps without ending it (a for-await break would). */
export function readResults<T extends { type: string }>(results: AsyncIterable<T>): ResultReader<T> {
  const iterator = results[Symbol.asyncIterator]();
  const next = async () => {
    const r = await iterator.next();
    return r.done ? undefined : r.value;
  };
  return {
    next,
    async untilFinal() {
      const interims: T[] = [];
      for (;;) {
        const r = await next();
        if (r === undefined) throw new Error(`stream ended before a final (after ${interims.length} interims)`);
        if (r.type === 'final') return { interims, final: r };
        interims.push(r);
      }
    },
    async rest() {
      const all: T[] = [];
      for (let r = await next(); r !== undefined; r = await next()) all.push(r);
      return all;
    },
  };
}
