/**
 * Sample-rate conversion for 16-bit mono PCM between the telephony and TTS/STT rates
 * (8, 16, 22.05, 24 and 48 kHz; any pair of positive integer rates works).
 *
 * Method: band-limited interpolation with a Blackman-windowed sinc, evaluated as a
 * polyphase filter bank. Linear interpolation would be cheaper but, going from espeak-ng's
 * 22 050 Hz down to 8 kHz, it folds everything between 4 and 11 kHz back into the
 * telephone band as audible aliasing. Here the cutoff sits at 95 % of the lower Nyquist
 * frequency, so that band is attenuated by the window's ~58 dB stop band.
 *
 * The ratio from:to reduces to A:B (22050:8000 → 441:160), so output sample n lands on
 * input position n·A/B whose fractional part takes only B values: one precomputed filter
 * per phase, no trigonometry per sample. Each phase is normalised to unit DC gain.
 *
 * Streaming: `push()` accepts chunks of any size (e.g. 20 ms frames) and returns whatever
 * output is complete; state carries over, so chunked and one-shot conversion give the same
 * samples. The stream is treated as preceded and (on `flush()`) followed by silence, so
 * there is no start-up delay and the total output length is ceil(inputLength·B/A).
 */

const ZERO_CROSSINGS = 12; // sinc lobes each side at the cutoff frequency
const CUTOFF = 0.95; // fraction of the lower Nyquist frequency kept

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

interface FilterBank {
  /** The reduced ratio from:to = a:b. */
  a: number;
  b: number;
  /** Taps per phase = 2·half; phase p's taps apply to inputs base-half+1 … base+half. */
  half: number;
  phases: Float32Array[];
}

const banks = new Map<string, FilterBank>();

function blackman(x: number, half: number): number {
  const t = (Math.PI * x) / half;
  return 0.42 + 0.5 * Math.cos(t) + 0.08 * Math.cos(2 * t);
}

function buildBank(from: number, to: number): FilterBank {
  const g = gcd(from, to);
  const a = from / g;
  const b = to / g;
  // Cutoff relative to the input Nyquist frequency: below 1 only when downsampling.
  const fc = CUTOFF * Math.min(1, to / from);
  const half = Math.ceil(ZERO_CROSSINGS / fc);
  const phases: Float32Array[] = [];
  for (let p = 0; p < b; p++) {
    const frac = p / b;
    const taps = new Float32Array(2 * half);
    let sum = 0;
    for (let j = 0; j < 2 * half; j++) {
      const x = j - half + 1 - frac; // distance from the output position, in input samples
      const arg = Math.PI * fc * x;
      const sinc = x === 0 ? 1 : Math.sin(arg) / arg;
      const w = Math.abs(x) >= half ? 0 : blackman(x, half);
      taps[j] = sinc * w;
      sum += taps[j];
    }
    for (let j = 0; j < taps.length; j++) taps[j] /= sum;
    phases.push(taps);
  }
  return { a, b, half, phases };
}

function bankFor(from: number, to: number): FilterBank {
  const key = `${from}:${to}`;
  let bank = banks.get(key);
  if (!bank) {
    bank = buildBank(from, to);
    banks.set(key, bank);
  }
  return bank;
}

function clamp16(v: number): number {
  const r = Math.round(v);
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

export class Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  private readonly bank: FilterBank | null;
  /** Input not yet fully consumed; index 0 is absolute input position `offset`. */
  private pending: Float32Array;
  private offset: number;
  /** Next output's integer input position and phase (position = base + phase/b). */
  private base = 0;
  private phase = 0;

  constructor(fromRate: number, toRate: number) {
    for (const r of [fromRate, toRate]) {
      if (!Number.isInteger(r) || r <= 0 || r > 384_000) throw new RangeError(`unsupported sample rate ${r}`);
    }
    this.fromRate = fromRate;
    this.toRate = toRate;
    this.bank = fromRate === toRate ? null : bankFor(fromRate, toRate);
    const half = this.bank?.half ?? 0;
    // Silence before the stream starts, so the first outputs need no look-behind special case.
    this.pending = new Float32Array(half);
    this.offset = -half;
  }

  /** Converts a chunk; returns the output samples that are complete so far. */
  push(input: Int16Array): Int16Array {
    if (!this.bank) return input.slice();
    const merged = new Float32Array(this.pending.length + input.length);
    merged.set(this.pending);
    merged.set(input, this.pending.length);
    this.pending = merged;
    return this.drain(false);
  }

  /** Ends the stream: emits the tail, as if silence followed. The resampler is then reset. */
  flush(): Int16Array {
    if (!this.bank) return new Int16Array(0);
    const out = this.drain(true);
    this.pending = new Float32Array(this.bank.half);
    this.offset = -this.bank.half;
    this.base = 0;
    this.phase = 0;
    return out;
  }

  private drain(final: boolean): Int16Array {
    const { a, b, half, phases } = this.bank!;
    const end = this.offset + this.pending.length; // absolute end of the input seen so far
    const out: number[] = [];
    for (;;) {
      // Outputs exist for positions inside the input: ceil(length·b/a) of them. Before the
      // end of the stream, wait until the filter's whole look-ahead has arrived.
      if (final ? this.base >= end : this.base + half >= end) break;
      const taps = phases[this.phase];
      const start = this.base - half + 1 - this.offset;
      let acc = 0;
      for (let j = 0; j < taps.length; j++) {
        const k = start + j;
        if (k < this.pending.length) acc += taps[j] * this.pending[k];
      }
      out.push(clamp16(acc));
      this.phase += a;
      this.base += Math.floor(this.phase / b);
      this.phase %= b;
    }
    if (!final) {
      // Keep only what future outputs can still reach.
      const keepFrom = this.base - half + 1 - this.offset;
      if (keepFrom > 0) {
        this.pending = this.pending.slice(keepFrom);
        this.offset += keepFrom;
      }
    }
    return Int16Array.from(out);
  }
}

/** One-shot conversion of a whole buffer. */
export function resample(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  const r = new Resampler(fromRate, toRate);
  const head = r.push(input);
  const tail = r.flush();
  const out = new Int16Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
