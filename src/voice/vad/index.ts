import { EnergyVad, type EnergyVadOptions } from './energy-vad.ts';
import { SileroVadPool, type SileroVadPoolOptions } from './silero-pool.ts';
import type { Vad, VadOptions } from './vad.ts';

export { EnergyVad, type EnergyVadOptions } from './energy-vad.ts';
export { SpeechSegmenter } from './segmenter.ts';
export { SileroModel, sileroModelPath, type SileroModelOptions, type SileroModelStats } from './silero-model.ts';
export { SileroVadPool, type SileroVadPoolOptions } from './silero-pool.ts';
export { SileroVad, type SileroVadOptions } from './silero-vad.ts';
export { DEFAULT_VAD_OPTIONS, resolveVadOptions, VAD_SAMPLE_RATE, type Vad, type VadEvent, type VadEventType, type VadOptions } from './vad.ts';

/** What the process holds: one per process, one `createVad()` per call. */
export interface VadProvider {
  readonly kind: 'silero' | 'energy';
  /** Set when Silero was asked for but could not load, and energy detection stands in. */
  readonly fallbackReason?: unknown;
  createVad(options?: Partial<VadOptions>): Vad;
  close(): Promise<void>;
}

export interface VadProviderOptions {
  kind: 'silero' | 'energy';
  silero?: SileroVadPoolOptions;
  energy?: Omit<EnergyVadOptions, keyof VadOptions>;
}

/**
 * Silero through one batching pool for all calls, or the energy detector. If the model cannot
 * load (a missing file, an onnxruntime binary that does not match the platform), calls still
 * get endpointing from the energy detector; `fallbackReason` says why, for the boot log.
 */
export async function createVadProvider(options: VadProviderOptions): Promise<VadProvider> {
  const energy = (fallbackReason?: unknown): VadProvider => ({
    kind: 'energy',
    fallbackReason,
    createVad: (vadOptions = {}) => new EnergyVad({ ...options.energy, ...vadOptions }),
    close: async () => {},
  });
  if (options.kind === 'energy') return energy();
  let pool: SileroVadPool;
  try {
    pool = await SileroVadPool.create(options.silero);
  } catch (error) {
    return energy(error);
  }
  return { kind: 'silero', createVad: (vadOptions) => pool.createVad(vadOptions), close: () => pool.close() };
}
