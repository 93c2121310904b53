import { SpeechSegmenter } from './segmenter.ts';
import { resolveVadOptions, samplesToMs, type Vad, type VadEvent, type VadOptions } from './vad.ts';

/**
 * The fallback detector: no model, microseconds per frame. Each 20 ms frame's level (RMS in
 * dBFS, after a DC blocker) is compared with an adaptive noise floor, and the margin above
 * the floor becomes a pseudo-probability fed to the same segmenter as Silero's, so events
 * mean the same thing from both.
 *
 * The floor is the quietest frame of the last `noiseWindowMs` ("minimum statistics"): it
 * drops at once when the line gets quieter, rises to a new steady noise within that window,
 * and within speech it keeps to the pauses between words. So steady hum, hiss or a tone is
 * not speech once it has lasted noiseWindowMs, whatever its level. It cannot tell speech from
 * other non-steady sound (music, a door): use Silero where the model can load.
 */

export interface EnergyVadOptions extends Partial<VadOptions> {
  /** Margin over the noise floor, in dB, mapped to probability 0 (at low) … 1 (at high). */
  snrLowDb?: number;
  snrHighDb?: number;
  /** Frames quieter than this (dBFS) are never speech: the floor of a digitally silent line is meaningless. */
  minLevelDbfs?: number;
  /** How far back the noise floor looks. */
  noiseWindowMs?: number;
}

const FRAME_SAMPLES = 160; // 20 ms at 8 kHz
const FRAME_MS = 20;
const SILENT_DBFS = -100;
const DC_POLE = 0.995; // DC blocker corner ≈ 6 Hz at 8 kHz: some PSTN lines carry an offset

export class EnergyVad implements Vad {
  private readonly segmenter: SpeechSegmenter;
  private readonly snrLowDb: number;
  private readonly snrSpanDb: number;
  private readonly minLevelDbfs: number;
  /** Levels of recent frames (ring), for the noise floor. */
  private readonly levels: Float64Array;
  private levelCount = 0;
  private readonly frame = new Float64Array(FRAME_SAMPLES);
  private filled = 0;
  private frames = 0;
  private previousInput = 0;
  private previousOutput = 0;
  private closed = false;

  constructor(options: EnergyVadOptions = {}) {
    const { snrLowDb = 3, snrHighDb = 15, minLevelDbfs = -50, noiseWindowMs = 3000, ...vadOptions } = options;
    if (!(snrHighDb > snrLowDb)) throw new RangeError('snrHighDb must exceed snrLowDb');
    if (!(noiseWindowMs >= FRAME_MS)) throw new RangeError(`noiseWindowMs must be ≥ ${FRAME_MS}`);
    this.segmenter = new SpeechSegmenter(resolveVadOptions(vadOptions));
    this.snrLowDb = snrLowDb;
    this.snrSpanDb = snrHighDb - snrLowDb;
    this.minLevelDbfs = minLevelDbfs;
    this.levels = new Float64Array(Math.round(noiseWindowMs / FRAME_MS));
  }

  process(frame: Int16Array): Promise<VadEvent[]> {
    if (this.closed) return Promise.reject(new Error('VAD closed'));
    return Promise.resolve(this.processNow(frame));
  }

  /** The same as process(), synchronously: the energy detector never waits for anything. */
  processNow(frame: Int16Array): VadEvent[] {
    const events: VadEvent[] = [];
    for (let i = 0; i < frame.length; i++) {
      // One-pole DC blocker: y[n] = x[n] − x[n−1] + a·y[n−1].
      const x = frame[i];
      const y = x - this.previousInput + DC_POLE * this.previousOutput;
      this.previousInput = x;
      this.previousOutput = y;
      this.frame[this.filled++] = y;
      if (this.filled < FRAME_SAMPLES) continue;
      this.filled = 0;
      const event = this.evaluateFrame();
      if (event) events.push(event);
    }
    return events;
  }

  reset(): void {
    this.segmenter.reset();
    this.levelCount = 0;
    this.filled = 0;
    this.frames = 0;
    this.previousInput = 0;
    this.previousOutput = 0;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private evaluateFrame(): VadEvent | null {
    const level = frameLevelDbfs(this.frame);
    this.levels[this.levelCount++ % this.levels.length] = level;
    const probability = this.probability(level, this.noiseFloor());
    const index = this.frames++;
    return this.segmenter.push(probability, samplesToMs(index * FRAME_SAMPLES), samplesToMs((index + 1) * FRAME_SAMPLES));
  }

  private noiseFloor(): number {
    const n = Math.min(this.levelCount, this.levels.length);
    let floor = Infinity;
    for (let i = 0; i < n; i++) if (this.levels[i] < floor) floor = this.levels[i];
    return floor;
  }

  private probability(level: number, floor: number): number {
    if (level < this.minLevelDbfs) return 0;
    const p = (level - floor - this.snrLowDb) / this.snrSpanDb;
    return p <= 0 ? 0 : p >= 1 ? 1 : p;
  }
}

function frameLevelDbfs(frame: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += frame[i] * frame[i];
  const rms = Math.sqrt(sum / frame.length) / 32768;
  return rms > 0 ? Math.max(SILENT_DBFS, 20 * Math.log10(rms)) : SILENT_DBFS;
}
