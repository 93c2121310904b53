// Known test audio for TTS tests: a sine tone at any rate, and the measures that tell whether
// audio that went through a vendor encoding, the network and our resampler is still that tone.

/** A sine of `frequency` Hz, `ms` long, at `sampleRate`, peak `amplitude`. */
export function sineTone(frequency: number, sampleRate: number, ms: number, amplitude = 12_000): Int16Array {
  const n = Math.round((sampleRate * ms) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate));
  return out;
}

/** 16-bit little-endian bytes of `pcm`. */
export function pcmBytes(pcm: Int16Array): Buffer {
  const out = Buffer.alloc(pcm.length * 2);
  for (let i = 0; i < pcm.length; i++) out.writeInt16LE(pcm[i], i * 2);
  return out;
}

/**
 * The share of the signal's energy at `frequency` (Goertzel), 0…1: ≈1 for a pure tone at that
 * frequency, ≈0 for a tone elsewhere or noise. The edges are skipped (resampler ramp-in/out).
 */
export function toneShare(pcm: Int16Array, frequency: number, sampleRate: number, skip = 64): number {
  const x = pcm.subarray(skip, pcm.length - skip);
  const n = x.length;
  if (n === 0) return 0;
  const w = (2 * Math.PI * frequency) / sampleRate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const s0 = x[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
    energy += x[i] * x[i];
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return energy === 0 ? 0 : (2 * power) / (n * energy);
}

export function rms(pcm: Int16Array): number {
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return pcm.length === 0 ? 0 : Math.sqrt(sum / pcm.length);
}

export function concatPcm(chunks: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
