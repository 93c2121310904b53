import assert from 'node:assert/strict';
import type { Voice } from '../../src/voice/catalog.ts';
import { stableVoiceId } from '../../src/voice/espeak-catalog.ts';
import { TtsError, type TtsErrorCode } from '../../src/voice/tts/errors.ts';
import { concatPcm } from './tone.ts';

// Small tools for tests of TtsProviders: read a synthesis with arrival times, expect a TtsError.

export function testVoice(provider: string, providerVoiceId: string, language = 'es'): Voice {
  return {
    id: stableVoiceId(provider, providerVoiceId), name: providerVoiceId, provider, provider_voice_id: providerVoiceId,
    preview_urls: null, gender: null, language,
  };
}

export interface Heard {
  chunks: Int16Array[];
  pcm: Int16Array;
  /** performance.now() when each chunk arrived. */
  arrivals: number[];
}

export async function listen(speech: AsyncIterable<Int16Array>, onChunk?: (chunk: Int16Array, index: number) => void): Promise<Heard> {
  const chunks: Int16Array[] = [];
  const arrivals: number[] = [];
  for await (const chunk of speech) {
    arrivals.push(performance.now());
    chunks.push(chunk);
    onChunk?.(chunk, chunks.length - 1);
  }
  return { chunks, arrivals, pcm: concatPcm(chunks) };
}

/** The TtsError the iteration ends with (fails the test if it ends normally or with something else). */
export async function ttsFailure(speech: AsyncIterable<Int16Array>, code?: TtsErrorCode): Promise<TtsError> {
  try {
    for await (const _ of speech) {
      // drain
    }
  } catch (error) {
    assert.ok(error instanceof TtsError, `expected a TtsError, got ${String(error)}`);
    if (code) assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail('the synthesis ended without an error');
}

export async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
