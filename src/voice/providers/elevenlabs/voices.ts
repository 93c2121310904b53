// The account's ElevenLabs voices (premade, cloned, added from the library) as catalogue
// entries, from GET /v1/voices. Ids are derived from the ElevenLabs voice_id, so an agent's
// voice keeps its id across restarts and across listings.

import type { Voice } from '../../catalog.ts';
import { stableVoiceId } from '../../espeak-catalog.ts';
import { abortedError, TtsError } from '../../tts/errors.ts';
import { errorFromResponse } from '../../tts/http-audio.ts';
import { ELEVENLABS_DEFAULT_BASE_URL, httpBase } from './tts.ts';

interface WireVoice {
  voice_id?: unknown;
  name?: unknown;
  labels?: Record<string, unknown> | null;
  preview_url?: unknown;
  fine_tuning?: { language?: unknown } | null;
  verified_languages?: { language?: unknown; locale?: unknown; preview_url?: unknown }[] | null;
}

/** BCP 47's code for "multiple languages": a voice the multilingual models speak any language with. */
export const MULTILINGUAL = 'mul';

export async function listElevenLabsVoices(
  options: { apiKey: string; baseUrl?: string }, signal: AbortSignal,
): Promise<Voice[]> {
  const url = `${httpBase(options.baseUrl ?? ELEVENLABS_DEFAULT_BASE_URL)}/v1/voices`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { 'xi-api-key': options.apiKey, accept: 'application/json' }, signal });
  } catch (error) {
    if (signal.aborted) throw abortedError(signal);
    throw new TtsError('NETWORK', 'ElevenLabs unreachable while listing voices', { cause: error });
  }
  if (!response.ok) throw await errorFromResponse(response, 'ElevenLabs', options.apiKey);
  let body: { voices?: unknown };
  try {
    body = (await response.json()) as { voices?: unknown };
  } catch (error) {
    if (signal.aborted) throw abortedError(signal);
    throw new TtsError('PROTOCOL', 'ElevenLabs voice list is not JSON', { cause: error });
  }
  if (!Array.isArray(body.voices)) throw new TtsError('PROTOCOL', 'ElevenLabs voice list has no `voices` array');
  return body.voices
    .filter((v: WireVoice) => typeof v?.voice_id === 'string' && v.voice_id !== '')
    .map(catalogueVoice)
    .sort((a, b) => a.name.localeCompare(b.name) || a.provider_voice_id.localeCompare(b.provider_voice_id));
}

function catalogueVoice(wire: WireVoice): Voice {
  const voiceId = wire.voice_id as string;
  const language = voiceLanguage(wire);
  return {
    id: stableVoiceId('elevenlabs', voiceId),
    name: typeof wire.name === 'string' && wire.name.trim() !== '' ? wire.name.trim() : voiceId,
    provider: 'elevenlabs',
    provider_voice_id: voiceId,
    preview_urls: previews(wire, language),
    gender: typeof wire.labels?.gender === 'string' ? wire.labels.gender.toLowerCase() : null,
    language,
  };
}

/** The one language a voice is labelled or verified for; several or none: multilingual. */
function voiceLanguage(wire: WireVoice): string {
  const verified = new Set((wire.verified_languages ?? []).map((v) => languageCode(v.language)).filter((l): l is string => !!l));
  const candidates = [languageCode(wire.labels?.language), verified.size === 1 ? [...verified][0] : undefined, languageCode(wire.fine_tuning?.language)];
  return candidates.find((l): l is string => l !== undefined) ?? MULTILINGUAL;
}

function languageCode(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const code = value.trim().toLowerCase().split(/[-_]/)[0];
  return /^[a-z]{2,3}$/.test(code) ? code : undefined;
}

/** Preview URLs keyed by locale (verified languages) and the voice's language (its main preview). */
function previews(wire: WireVoice, language: string): Record<string, string> | null {
  const urls: Record<string, string> = {};
  for (const verified of wire.verified_languages ?? []) {
    const key = typeof verified.locale === 'string' && verified.locale ? verified.locale : languageCode(verified.language);
    if (key && typeof verified.preview_url === 'string' && verified.preview_url) urls[key] ??= verified.preview_url;
  }
  if (typeof wire.preview_url === 'string' && wire.preview_url && !Object.values(urls).includes(wire.preview_url)) {
    urls[language] ??= wire.preview_url;
  }
  return Object.keys(urls).length > 0 ? urls : null;
}
