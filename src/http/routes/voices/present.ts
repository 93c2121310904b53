import type { Static } from 'typebox';
import type { Voice } from '../../../voice/catalog.ts';
import type { VoiceResponse } from './schemas.ts';

export type VoiceBody = Static<typeof VoiceResponse>;

/** A catalogue voice as the API shows it (voice list, voice detail, and agents' `voice`). */
export function presentVoice(voice: Voice, isFavourite: boolean): VoiceBody {
  return {
    id: voice.id,
    name: voice.name,
    provider: voice.provider as VoiceBody['provider'],
    provider_voice_id: voice.provider_voice_id,
    preview_urls: voice.preview_urls,
    gender: voice.gender,
    is_favourite: isFavourite,
    language: voice.language,
  };
}
