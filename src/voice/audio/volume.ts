/**
 * The agent's `volume` (0–100) as a gain on its audio: 50 leaves it as synthesised, 100
 * doubles it (clipped), 0 silences it. Linear, because the setting is a user's loudness knob,
 * not a calibrated level.
 */
export function applyVolume(pcm: Int16Array, volume: number): Int16Array {
  const gain = Math.max(0, Math.min(100, volume)) / 50;
  if (gain === 1) return pcm;
  const out = new Int16Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(pcm[i] * gain)));
  return out;
}
