// The voice catalogue of what this process can actually speak with: espeak-ng's voices
// always, OpenAI-compatible voices (a fixed list) when that server is configured, and the
// ElevenLabs account's voices when a key is configured — listed from the API at start and
// kept. A failed listing is logged, not fatal: the catalogue comes up without those voices
// and keeps trying in the background, so an ElevenLabs outage at boot does not lose them
// for the life of the process.

import type { Logger } from 'pino';
import type { Voice, VoiceCatalog } from '../catalog.ts';
import { createVoiceCatalog } from '../espeak-catalog.ts';
import { listElevenLabsVoices } from '../providers/elevenlabs/voices.ts';
import { openAiSpeechVoiceNames, openAiSpeechVoices } from '../providers/openai-compatible/tts.ts';
import type { TtsSettings } from './create-tts.ts';
import { TtsError } from './errors.ts';

export interface LiveVoiceCatalog extends VoiceCatalog {
  /** Stops background listing retries. Idempotent. */
  close(): void;
}

export interface LoadVoiceCatalogOptions {
  logger?: Pick<Logger, 'warn' | 'info'>;
  /** `espeak-ng --voices` output (tests); default: run espeak-ng. */
  espeakVoices?: VoiceCatalog;
  /** Per listing attempt (default 5000). */
  listTimeoutMs?: number;
  /** First retry delay after a failed listing, doubling up to 10 minutes (default 30 000). */
  retryDelayMs?: number;
}

const MAX_RETRY_DELAY_MS = 10 * 60_000;

export async function loadVoiceCatalog(
  settings: Pick<TtsSettings, 'elevenlabs' | 'openai'>, options: LoadVoiceCatalogOptions = {},
): Promise<LiveVoiceCatalog> {
  const espeak = (options.espeakVoices ?? createVoiceCatalog()).list();
  const openai = settings.openai ? openAiSpeechVoices(openAiSpeechVoiceNames(settings.openai.model, settings.openai.voices)) : [];
  let elevenlabs: readonly Voice[] = [];
  let voices: readonly Voice[] = [];
  let byId = new Map<string, Voice>();
  const rebuild = () => {
    voices = [...espeak, ...elevenlabs, ...openai];
    byId = new Map(voices.map((v) => [v.id, v]));
  };
  rebuild();

  const closed = new AbortController();
  const catalog: LiveVoiceCatalog = {
    list: () => voices,
    get: (id) => byId.get(id),
    close: () => closed.abort(),
  };
  const account = settings.elevenlabs;
  if (!account) return catalog;

  const listOnce = async (): Promise<boolean> => {
    try {
      const signal = AbortSignal.any([closed.signal, AbortSignal.timeout(options.listTimeoutMs ?? 5000)]);
      elevenlabs = await listElevenLabsVoices(account, signal);
      rebuild();
      options.logger?.info({ voices: elevenlabs.length }, 'ElevenLabs voices listed');
      return true;
    } catch (error) {
      if (closed.signal.aborted) return true;
      options.logger?.warn(
        { code: error instanceof TtsError ? error.code : 'internal', status: error instanceof TtsError ? error.status : undefined, err: error },
        'could not list ElevenLabs voices; the catalogue has no ElevenLabs voices until a retry succeeds',
      );
      return false;
    }
  };
  if (!(await listOnce())) void retryInBackground(listOnce, options.retryDelayMs ?? 30_000, closed.signal);
  return catalog;
}

async function retryInBackground(attempt: () => Promise<boolean>, firstDelayMs: number, signal: AbortSignal): Promise<void> {
  for (let delay = firstDelayMs; !signal.aborted; delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS)) {
    try {
      await sleepUnref(delay, signal);
    } catch {
      return;
    }
    if (await attempt()) return;
  }
}

/** A wait that does not keep the process alive on its own (a server shutting down need not call close()). */
function sleepUnref(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
