import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Voice, VoiceCatalog } from './catalog.ts';

// The local espeak-ng engine's voices, read from `espeak-ng --voices` once at start.
// MBROLA voices are left out: they need separate voice data packages that are rarely
// installed, and listing a voice that cannot speak would be a lie.

const FEMALE_VARIANT = '+f3';

export function createVoiceCatalog(listing: string | undefined = readEspeakVoices()): VoiceCatalog {
  const voices = listing === undefined ? [] : parseEspeakVoices(listing);
  const byId = new Map(voices.map((v) => [v.id, v]));
  return { list: () => voices, get: (id) => byId.get(id) };
}

function readEspeakVoices(): string | undefined {
  try {
    return execFileSync('espeak-ng', ['--voices'], { encoding: 'utf8', timeout: 5000 });
  } catch {
    return undefined;
  }
}

/** Each espeak voice as its own (male) voice plus a female variant of it. */
export function parseEspeakVoices(listing: string): Voice[] {
  const voices: Voice[] = [];
  for (const line of listing.split('\n').slice(1)) {
    const columns = line.trim().split(/\s+/);
    if (columns.length < 5) continue;
    const [, language, ageGender, name, file] = columns;
    if (file.startsWith('mb/')) continue;
    // Two files can share a language code (yue, yue-Latn-jyutping); `-v yue` speaks with the
    // first one listed, and a voice id must name one voice.
    if (voices.some((v) => v.provider_voice_id === language)) continue;
    const label = name.replace(/_/g, ' ');
    const gender = ageGender.endsWith('F') ? 'female' : 'male';
    voices.push(espeakVoice(language, label, gender, language));
    if (gender === 'male') voices.push(espeakVoice(language + FEMALE_VARIANT, `${label} (female)`, 'female', language));
  }
  return voices.sort((a, b) => a.provider_voice_id.localeCompare(b.provider_voice_id));
}

function espeakVoice(providerVoiceId: string, name: string, gender: string, language: string): Voice {
  return {
    id: stableVoiceId('espeak', providerVoiceId),
    name,
    provider: 'espeak',
    provider_voice_id: providerVoiceId,
    preview_urls: null,
    gender,
    language: language.split('-')[0],
  };
}

/** A UUID (version 5 layout) derived from the provider and its voice id. */
export function stableVoiceId(provider: string, providerVoiceId: string): string {
  const hash = createHash('sha1').update(`habla-voice:${provider}:${providerVoiceId}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
